import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectScreenOk, launchBrowser, newPage, signIn } from './support/browser.ts';
import { buildWebApp, startE2eServer, type E2eServer } from './support/server.ts';

/**
 * Each member of staff lands on their own home page (issue 10, finding 5): the role chosen at sign-in
 * in the header, the cards of their own work, and only their work's links in the header. The privacy
 * officer reviews emergency access and searches the audit log with dates typed as UK users write them.
 * Screens at 1280 and 375 px, axe (WCAG 2.2 AA) on each.
 */
let server: E2eServer;
let browser: Browser;
let closeBrowser: () => Promise<void>;

const NARROW = { width: 375, height: 812 };

beforeAll(async () => {
  buildWebApp();
  [server, { browser, close: closeBrowser }] = await Promise.all([startE2eServer(20), launchBrowser()]);
});

afterAll(async () => {
  await closeBrowser?.();
  await server?.stop();
});

const check = (page: Page, name: string): Promise<void> => expectScreenOk(page, `home-${name}`);
// A card's link also carries its count for screen readers ("Inbox: 2 unread"): the title is before the colon.
const cardTitles = async (page: Page): Promise<string[]> =>
  (await page.locator('.cw-work-card h2 a').allInnerTexts()).map((text) => text.split(':')[0]!.trim());
const headerLinks = (page: Page): Promise<string[]> =>
  page.getByRole('banner').locator('nav a, nav button').allInnerTexts();

async function home(username: string, role?: RegExp, viewport?: typeof NARROW): Promise<Page> {
  const { page } = await newPage(browser, viewport);
  await signIn(page, server.baseUrl, username, role ? { role } : {});
  await page.waitForURL(/\/home$/);
  await page.getByRole('heading', { name: 'Your work', level: 1 }).waitFor();
  await page.locator('.cw-work-card').first().waitFor();
  return page;
}

describe('staff home pages', () => {
  it('a GP sees their practice work with counts and their role in the header (1280 px)', async () => {
    const page = await home('demo.gp', /Ormskirk Medical Practice/);
    expect(await page.getByRole('banner').textContent()).toContain('(Clinical practitioner)');
    await page.getByText('Clinical practitioner, Ormskirk Medical Practice').waitFor();
    const titles = await cardTitles(page);
    expect(titles).toEqual(expect.arrayContaining(['Inbox', 'Repeat prescription requests', 'Find a patient']));
    // Counts arrive as their lists load: the inbox has the demo's unread notifications.
    await expect
      .poll(() => page.locator('.cw-work-card').filter({ hasText: 'Inbox' }).textContent())
      .toMatch(/\d+ unread/);
    await check(page, 'gp');
    await page
      .getByRole('link', { name: /^Find a patient/ })
      .first()
      .click();
    await page.getByRole('heading', { name: 'Find a patient', level: 1 }).waitFor();
    await page.context().close();
  });

  it('a district nurse gets no repeat-prescription queue; a commissioner no patient search', async () => {
    const nurse = await home('demo.nurse');
    expect(await cardTitles(nurse)).not.toContain('Repeat prescription requests');
    expect(await headerLinks(nurse)).not.toContain('Repeat requests');
    await check(nurse, 'nurse');
    await nurse.context().close();

    const commissioner = await home('demo.commissioner');
    expect(await cardTitles(commissioner)).not.toContain('Find a patient');
    expect(await cardTitles(commissioner)).toContain('Risk of admission');
    await check(commissioner, 'commissioner');
    await commissioner.context().close();
  });

  it('the privacy officer reviews emergency access and searches the audit log by date', async () => {
    const page = await home('demo.privacy');
    expect(await cardTitles(page)).toContain('Access reviews');
    await page
      .getByRole('link', { name: /^Access reviews/ })
      .first()
      .click();
    await page.getByRole('heading', { name: 'Access reviews', level: 1 }).waitFor();
    await page.getByRole('heading', { name: 'Emergency access in the last 30 days' }).waitFor();
    await page.locator('#glass-heading ~ table, #glass-heading ~ .cw-empty, #glass-heading ~ *').first().waitFor();

    const today = new Date();
    const [day, month, year] = [today.getDate(), today.getMonth() + 1, today.getFullYear()].map(String);
    await page.locator('#audit-from-day').fill(day!);
    await page.locator('#audit-from-month').fill(month!);
    await page.locator('#audit-from-year').fill(year!);
    await page.locator('#audit-to-day').fill('1');
    await page.locator('#audit-to-month').fill('1');
    await page.locator('#audit-to-year').fill('2020');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.getByText('The end date must be the same as or after the start date').waitFor();
    await page.locator('#audit-to-year').fill(String(Number(year) + 1));
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    // Today's sign-ins and record views are in the log, each naming who, with their role.
    const rows = page.getByRole('table', { name: /Audit entries/ }).locator('tbody tr');
    await rows.first().waitFor();
    expect(await rows.count()).toBeGreaterThan(0);
    await check(page, 'privacy-officer');
    await page.context().close();
  });

  it('fits a 375 px phone', async () => {
    const page = await home('demo.nurse', undefined, NARROW);
    await check(page, 'nurse-narrow');
    await page.context().close();
  });
});
