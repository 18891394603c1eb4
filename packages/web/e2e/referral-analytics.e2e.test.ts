import fs from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectScreenOk, launchBrowser, newPage, screenshot, signIn } from './support/browser.ts';
import { buildWebApp, startE2eServer, type E2eServer } from './support/server.ts';

/**
 * Referral analytics (docs/REFERRALS.md, "Analytics") through the real server with the demo
 * population and its referral history: the commissioner (demo.commissioner, R8012 at the CCG) sees
 * every practice's electronic share against the targets, the funnel plots with a table for each,
 * filters by specialty (kept in the address) and downloads the practice table as CSV; the GP
 * (demo.gp at Ormskirk Medical Practice) sees only her practice and the area; a consultant at the
 * trust is refused. Each screen is screenshotted at 1280 and 375 px into test-artifacts/ and checked
 * with axe-core (WCAG 2.2 AA).
 */
let server: E2eServer;
let browser: Browser;
let closeBrowser: () => Promise<void>;

const NARROW = { width: 375, height: 812 };
const PAGE = '/referral-analytics';

beforeAll(async () => {
  buildWebApp();
  [server, { browser, close: closeBrowser }] = await Promise.all([startE2eServer(40), launchBrowser()]);
});

afterAll(async () => {
  await closeBrowser?.();
  await server?.stop();
});

const check = (page: Page, name: string): Promise<void> => expectScreenOk(page, `referral-analytics-${name}`);

async function dashboard(page: Page): Promise<void> {
  await page.getByRole('heading', { level: 1, name: 'Referral analytics' }).waitFor();
  await page.getByRole('heading', { level: 2, name: 'Referrals made electronically' }).waitFor({ timeout: 30_000 });
}

describe('referral analytics', () => {
  it('the commissioner sees every practice, the targets and the funnels, filters and downloads (1280 px)', async () => {
    const { page } = await newPage(browser);
    await signIn(page, server.baseUrl, 'demo.commissioner', { returnTo: PAGE });
    await page.goto(`${server.baseUrl}${PAGE}`);
    await dashboard(page);
    expect(await page.locator(`header a[href="${PAGE}"]`).count(), 'a header link for staff').toBeGreaterThan(0);
    // The trend and every funnel are images with a text description, and each has a table.
    const trend = page.getByRole('img', { name: /Share of referrals made electronically by month.*80% and 100%/ });
    expect(await trend.count()).toBe(1);
    expect(await page.getByRole('img', { name: /^Funnel plot: / }).count()).toBeGreaterThanOrEqual(1);
    const practices = page.getByRole('table', { name: 'Practices against the area' });
    expect(await practices.locator('tbody tr').count()).toBeGreaterThan(5);
    expect(await practices.innerText()).toMatch(/Area \(all practices\)/);
    // Small numbers never appear as 1 to 4 in the count column.
    const counts = await practices
      .locator('tbody tr')
      .evaluateAll((rows) => rows.map((r) => r.children[2]?.textContent?.trim() ?? ''));
    expect(counts.filter((c) => /^[1-4]$/.test(c.replace(/^Referrals/, '')))).toEqual([]);
    await page.getByText('Show the monthly figures as a table').click();
    await page.getByRole('table', { name: 'Electronic referrals by month' }).waitFor();
    await check(page, 'commissioner-wide');

    await page.getByLabel('Specialty', { exact: true }).selectOption('msk');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/specialty=msk/);
    await dashboard(page);
    await page
      .getByText(/MSK and physiotherapy\)/)
      .first()
      .waitFor();
    expect(await page.getByLabel('Specialty', { exact: true }).inputValue()).toBe('msk');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Download the practice table (CSV)' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^referral-analytics-\d{4}-\d{2}-to-\d{4}-\d{2}\.csv$/);
    const csv = fs
      .readFileSync(await download.path(), 'utf8')
      .trim()
      .split('\n');
    expect(csv[0]).toMatch(/^Practice,Practice id,Registered patients,Referrals,/);
    expect(csv[1]).toMatch(/^Area \(all practices\),area,/);
    expect(csv.slice(1).every((line) => line.endsWith(',msk'))).toBe(true);
    await page.context().close();
  });

  it('works at 375 px for the commissioner', async () => {
    const { page } = await newPage(browser, NARROW);
    await signIn(page, server.baseUrl, 'demo.commissioner', { returnTo: PAGE });
    await page.goto(`${server.baseUrl}${PAGE}`);
    await dashboard(page);
    await check(page, 'commissioner-narrow');
    await page.context().close();
  });

  it.each([
    ['wide', undefined],
    ['narrow', NARROW],
  ] as const)('the GP sees her own practice and the area only (%s)', async (size, viewport) => {
    const { page } = await newPage(browser, viewport);
    await signIn(page, server.baseUrl, 'demo.gp', { role: /Ormskirk Medical Practice/, returnTo: PAGE });
    await page.goto(`${server.baseUrl}${PAGE}`);
    await dashboard(page);
    const rows = page.getByRole('table', { name: 'Practices against the area' }).locator('tbody tr');
    expect(await rows.count()).toBe(2);
    expect(await rows.nth(1).innerText()).toMatch(/Ormskirk Medical Practice/);
    expect(await page.getByLabel('Practice to follow').count(), 'no choice of practice for a GP').toBe(0);
    await check(page, `gp-${size}`);
    await page.context().close();
  });

  it('a consultant at the trust is refused, in plain words', async () => {
    const { page } = await newPage(browser);
    await signIn(page, server.baseUrl, 'demo.consultant', { returnTo: PAGE });
    await page.goto(`${server.baseUrl}${PAGE}`);
    await page.getByRole('heading', { level: 1, name: 'Referral analytics' }).waitFor();
    await page.getByText('The referral figures could not be shown').waitFor({ timeout: 30_000 });
    expect(await page.getByRole('table').count()).toBe(0);
    await screenshot(page, 'referral-analytics-consultant-refused');
    await page.context().close();
  });
});
