import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DESKTOP, launchBrowser, signIn } from './support/browser.ts';
import { buildWebApp, startE2eServer, type E2eServer } from './support/server.ts';

/**
 * The pages under their real Content-Security-Policy (the journeys bypass it to inject axe-core):
 * nothing the browser refuses, and nothing requested from another origin (the NHS.UK fonts at
 * assets.nhs.uk were, and the policy refused them).
 */
let server: E2eServer;
let browser: Browser;
let closeBrowser: () => Promise<void>;

beforeAll(async () => {
  buildWebApp();
  [server, { browser, close: closeBrowser }] = await Promise.all([startE2eServer(20), launchBrowser()]);
});

afterAll(async () => {
  await closeBrowser?.();
  await server?.stop();
});

interface Watched {
  page: Page;
  /** CSP violations and requests to other origins so far, each with the page it happened on. */
  problems: string[];
  close: () => Promise<void>;
}

async function watchedPage(): Promise<Watched> {
  const context = await browser.newContext({ viewport: DESKTOP, locale: 'en-GB', timezoneId: 'Europe/London' });
  const page = await context.newPage();
  page.setDefaultTimeout(45_000);
  const problems: string[] = [];
  const origin = new URL(server.baseUrl).origin;
  // Init scripts run outside the page's CSP; the event names what was refused and by which directive.
  await page.exposeFunction('careweaveCspViolation', (violation: string) => problems.push(violation));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      const report = (window as unknown as { careweaveCspViolation: (violation: string) => void })
        .careweaveCspViolation;
      void report(`CSP ${event.violatedDirective} refused ${event.blockedURI} on ${location.pathname}`);
    });
  });
  page.on('console', (message) => {
    if (/Content[ -]Security[ -]Policy/i.test(message.text())) {
      problems.push(`console: ${message.text()}`);
    }
  });
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (!['data:', 'blob:'].includes(url.protocol) && url.origin !== origin) {
      problems.push(`request to ${request.url()} from ${new URL(page.url()).pathname}`);
    }
  });
  return { page, problems, close: () => context.close() };
}

/** Lets late requests (fonts are fetched when text is laid out) and violation reports arrive. */
async function settled(page: Page): Promise<void> {
  await page.waitForLoadState('networkidle');
  await page.evaluate(() => document.fonts.ready.then(() => undefined));
}

describe('Content-Security-Policy', () => {
  it('is kept by the sign-in pages and the home pages', async () => {
    const { page, problems, close } = await watchedPage();
    try {
      await page.goto(`${server.baseUrl}/sign-in`);
      await page.getByRole('heading', { name: 'Sign in to CareWeave' }).waitFor();
      await settled(page);
      expect(await page.evaluate(() => getComputedStyle(document.body).fontFamily)).toMatch(/Frutiger W01.*arial/i);
      // The server's own login form, then the clinician's home page.
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(/\/auth\/interaction\//);
      await page.locator('#username').waitFor();
      await settled(page);
      expect(problems, 'on the login form').toEqual([]);
      await page.goto(`${server.baseUrl}/sign-in`);
      await signIn(page, server.baseUrl, 'demo.gp', { role: /Ormskirk Medical Practice/ });
      await page.goto(`${server.baseUrl}/`);
      await page.getByRole('heading', { name: 'Your work' }).waitFor();
      await settled(page);
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  });

  it('is kept by the patient portal’s home page', async () => {
    const { page, problems, close } = await watchedPage();
    try {
      await signIn(page, server.baseUrl, 'demo.patient');
      await page.goto(`${server.baseUrl}/`);
      await page.waitForURL(/\/my$/);
      await page.getByRole('heading', { level: 1 }).first().waitFor();
      await settled(page);
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  });
});
