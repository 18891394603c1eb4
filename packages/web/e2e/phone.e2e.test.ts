import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectScreenOk, launchBrowser, newPage, signIn } from './support/browser.ts';
import { buildWebApp, startE2eServer, type E2eServer } from './support/server.ts';

/**
 * The phone simulator (docs/SMS.md): on the built-in loopback gateway a member of staff plays a
 * patient's phone, replies STOP and sees the reply listed. One server and one browser; each screen
 * is screenshotted at 1280 and 375 px into test-artifacts/ and checked with axe-core (WCAG 2.2 AA).
 */
let server: E2eServer;
let browser: Browser;
let closeBrowser: () => Promise<void>;

const NARROW = { width: 375, height: 812 };
const GP = { role: /Ormskirk Medical Practice/ };

beforeAll(async () => {
  buildWebApp();
  [server, { browser, close: closeBrowser }] = await Promise.all([startE2eServer(20), launchBrowser()]);
});

afterAll(async () => {
  await closeBrowser?.();
  await server?.stop();
});

/** The screen checks of support/browser.ts, with this journey's screenshot prefix. */
const check = (page: Page, name: string): Promise<void> => expectScreenOk(page, `phone-sim-${name}`);

/** Signs in as the GP, opens /phone, shows errors for an empty form, then replies STOP from a number. */
async function stopFrom(viewport: typeof NARROW | undefined, number: string, name: string): Promise<void> {
  const { page } = await newPage(browser, viewport);
  await signIn(page, server.baseUrl, 'demo.gp', { ...GP, returnTo: '/phone' });
  await page.getByRole('heading', { name: 'Phone simulator (demo)' }).waitFor();
  await page.getByText('It works only with CareWeave’s built-in loopback text message gateway').waitFor();

  await page.getByRole('button', { name: 'Show this phone’s messages' }).click();
  const summary = page.getByRole('alert').filter({ hasText: 'There is a problem' });
  await summary.getByRole('link', { name: 'Enter a mobile phone number' }).waitFor();
  await check(page, `${name}-error`);

  await page.getByLabel('Mobile phone number').fill(number);
  await page.getByRole('button', { name: 'Show this phone’s messages' }).click();
  await page.getByText('No text messages to or from this number yet.').waitFor();
  await page.getByRole('button', { name: 'Send from this phone' }).click();
  await summary.getByRole('link', { name: 'Enter the text message to send' }).waitFor();

  await page.getByLabel('Text message').fill('STOP');
  await page.getByRole('button', { name: 'Send from this phone' }).click();
  await page.getByText('CareWeave will not text this number until it sends START.').waitFor();
  const listed = page.locator('.cw-sms__message').filter({ hasText: 'STOP' });
  await listed.waitFor();
  expect(await listed.textContent()).toContain('Sent from this phone');
  expect(await page.getByRole('heading', { name: `Messages for ${number}` }).count()).toBe(1);
  await check(page, `${name}-stop`);
  await page.context().close();
}

describe('phone simulator', () => {
  it('the GP replies STOP from a UK mobile and sees it listed (1280 and 375 px)', async () => {
    await stopFrom(undefined, '07700 900456', 'wide');
    await stopFrom(NARROW, '07700 900457', 'narrow');
  });
});
