import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { PASSWORD } from './server.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
export const ARTIFACTS = path.resolve(here, '../../test-artifacts');
export const CHROMIUM = process.env.CAREWEAVE_CHROMIUM ?? '/usr/bin/chromium';

const require = createRequire(import.meta.url);
const AXE_SOURCE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export const PHONE = { width: 390, height: 844 };
export const TABLET = { width: 820, height: 1180 };
export const DESKTOP = { width: 1280, height: 900 };

/**
 * Debian's Chromium, headless, driven by playwright-core.
 * Fails with a clear message when Chromium is not installed (`apt-get install -y chromium`).
 */
export async function launchBrowser(): Promise<{ browser: Browser; close: () => Promise<void> }> {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM}: run 'apt-get install -y chromium' (or set CAREWEAVE_CHROMIUM)`,
    );
  }
  // playwright-core gives every launch a fresh, empty --user-data-dir of its own (passing one
  // is refused); each test then gets its own BrowserContext (cookies, storage).
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-quic',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    browser,
    close: () => browser.close(),
  };
}

export async function newPage(browser: Browser, viewport = DESKTOP): Promise<{ context: BrowserContext; page: Page }> {
  // bypassCSP: axe-core is injected as an inline script, which the app's CSP rightly refuses.
  const context = await browser.newContext({ viewport, locale: 'en-GB', timezoneId: 'Europe/London', bypassCSP: true });
  const page = await context.newPage();
  // Generous: CI machines are small and often busy; a real hang still fails.
  page.setDefaultTimeout(45_000);
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && !/Failed to load resource/.test(message.text())) {
      problems.push(`console error: ${message.text()}`);
    }
  });
  (page as Page & { problems?: string[] }).problems = problems;
  return { context, page };
}

/** Console errors and uncaught exceptions the page has produced so far. */
export function pageProblems(page: Page): string[] {
  return (page as Page & { problems?: string[] }).problems ?? [];
}

export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

export interface AxeViolation {
  id: string;
  impact: string;
  help: string;
  nodes: { target: string[]; html: string }[];
}

/** Runs axe-core in the page against WCAG 2.2 A and AA; returns the violations. */
export async function axe(page: Page): Promise<AxeViolation[]> {
  if (!(await page.evaluate(() => 'axe' in window))) {
    await page.addScriptTag({ content: AXE_SOURCE });
  }
  return page.evaluate(async () => {
    const result = await (
      window as unknown as {
        axe: { run: (context: Document, options: object) => Promise<{ violations: AxeViolation[] }> };
      }
    ).axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
    });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target, html: n.html.slice(0, 200) })),
    }));
  });
}

export function describeViolations(violations: AxeViolation[]): string {
  return violations
    .map(
      (v) =>
        `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.map((n) => `${n.target.join(' ')} ${n.html}`).join('\n    ')}`,
    )
    .join('\n');
}

/**
 * Signs in through the platform's own OpenID provider (authorization code + PKCE): the app's
 * "Sign in" button, the login form, and the role choice for staff with several roles. The one
 * place tests know how sign-in works.
 */
export async function signIn(
  page: Page,
  baseUrl: string,
  username: string,
  options: { role?: RegExp; returnTo?: string; password?: string } = {},
): Promise<void> {
  await page.goto(`${baseUrl}/sign-in${options.returnTo ? `?returnTo=${encodeURIComponent(options.returnTo)}` : ''}`);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/auth\//);
  await page.locator('#username').fill(username);
  await page.locator('#password').fill(options.password ?? PASSWORD);
  await page.locator('form button[type=submit]').click();
  await page
    .waitForURL((url) => !/\/auth\/interaction\/[^/]+$/.test(url.pathname) || url.pathname.endsWith('/profile'), {
      timeout: 20_000,
    })
    .catch(() => undefined);
  if (
    await page
      .getByRole('heading', { name: 'Choose your role' })
      .isVisible()
      .catch(() => false)
  ) {
    if (options.role) {
      await page.getByLabel(options.role).check();
    }
    await page.getByRole('button', { name: 'Continue' }).click();
  }
  await page.waitForURL(
    (url) =>
      url.origin === baseUrl &&
      !url.pathname.startsWith('/auth') &&
      url.pathname !== '/callback' &&
      url.pathname !== '/sign-in',
    { timeout: 30_000 },
  );
}

export async function signOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL((url) => url.pathname === '/' || url.pathname === '/signed-out' || url.pathname === '/sign-in');
}

/**
 * The checks every screen of a journey gets: a screenshot into test-artifacts/, no WCAG 2.2 A/AA
 * violations, no console errors, and nothing wider than the screen.
 */
export async function expectScreenOk(page: Page, name: string): Promise<void> {
  await screenshot(page, name);
  const violations = await axe(page);
  expect(violations, `axe on ${name}:\n${describeViolations(violations)}`).toEqual([]);
  expect(pageProblems(page), `console on ${name}`).toEqual([]);
  const width = page.viewportSize()!.width;
  expect(await page.evaluate(() => document.documentElement.scrollWidth), `width of ${name}`).toBeLessThanOrEqual(
    width,
  );
}
