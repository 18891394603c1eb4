import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectScreenOk, launchBrowser, newPage, signIn } from './support/browser.ts';
import { buildWebApp, startE2eServer, type E2eServer } from './support/server.ts';

/**
 * The admission alert thread page (docs/ADMISSION-ALERTS.md, "The thread page") through the real
 * server and its demo data: demo.gp opens the demo patient's admission alert from the inbox and lands
 * on the visit's page — the patient banner, "Admitted" then "Discharged", the follow-up checklist
 * with the 48-hour contact overdue, who was told — and marks the medicines reconciliation done with
 * a note; a paramedic of an unrelated organisation who opens the same address is told it is not
 * found. Each screen is screenshotted at 1280 and 375 px into test-artifacts/ and checked with
 * axe-core (WCAG 2.2 AA).
 */
let server: E2eServer;
let browser: Browser;
let closeBrowser: () => Promise<void>;

const NARROW = { width: 375, height: 812 };
const PRACTICE = { role: /Ormskirk Medical Practice/ };

beforeAll(async () => {
  buildWebApp();
  [server, { browser, close: closeBrowser }] = await Promise.all([startE2eServer(20), launchBrowser()]);
});

afterAll(async () => {
  await closeBrowser?.();
  await server?.stop();
});

const check = (page: Page, name: string): Promise<void> => expectScreenOk(page, `admission-alerts-${name}`);

/** From the inbox, the demo admission's alert: open it, follow its link to the thread page. */
async function openFromInbox(page: Page): Promise<string> {
  await page.goto(`${server.baseUrl}/inbox`);
  await page.getByRole('heading', { name: 'Inbox', level: 1 }).waitFor();
  const card = page.locator('.cw-notification').filter({ hasText: /was admitted to hospital/ });
  await card.first().waitFor();
  await card.first().locator('summary').click();
  await card.first().getByRole('link', { name: 'Open the admission alert' }).click();
  await page.waitForURL(/\/admission-alerts\/[^/]+$/);
  await page.getByRole('heading', { level: 1, name: 'Hospital visit' }).waitFor();
  await page.getByRole('heading', { name: 'What happened' }).waitFor();
  return page.url();
}

describe('the admission alert thread page', () => {
  let threadUrl: string;

  it('the GP opens the alert from the inbox, sees the visit and completes a follow-up step (1280 px)', async () => {
    const { page } = await newPage(browser);
    await signIn(page, server.baseUrl, 'demo.gp', { ...PRACTICE, returnTo: '/inbox' });
    threadUrl = await openFromInbox(page);

    // The banner names the patient; the alerts are in time order.
    const banner = page.getByRole('region', { name: 'Patient details' });
    await banner.getByText('NHS number').waitFor();
    const events = await page.locator('.cw-timeline li h3').allTextContents();
    expect(events).toEqual(['Admitted', 'Discharged']);
    // The checklist: three steps with due dates, the 48-hour contact overdue.
    const steps = page.getByRole('table');
    await steps
      .getByRole('row', { name: /Contact the patient within 48 hours/ })
      .getByText(/Overdue/)
      .waitFor();
    expect(await steps.locator('tbody tr').count()).toBe(3);
    // Who was told: the GP among them.
    await page.getByRole('heading', { name: 'Who was told' }).waitFor();
    expect(await page.locator('h2:has-text("Who was told") + ul li').count()).toBeGreaterThan(0);
    await check(page, 'gp-wide');

    const row = steps.getByRole('row', { name: /Medicines reconciliation/ });
    await row.getByRole('button', { name: /Mark as done/ }).click();
    await page.getByLabel('What was done (optional)').fill('Two medicines changed in hospital; list updated');
    await page.getByRole('button', { name: /Confirm done/ }).click();
    await page.getByText('“Medicines reconciliation” marked as done.').waitFor();
    await steps
      .getByRole('row', { name: /Medicines reconciliation/ })
      .getByText('Done', { exact: true })
      .waitFor();
    await page.getByText('Done: Two medicines changed in hospital; list updated').waitFor();
    await check(page, 'gp-wide-done');
    await page.context().close();
  });

  it('works at 375 px', async () => {
    const { page } = await newPage(browser, NARROW);
    await signIn(page, server.baseUrl, 'demo.gp', { ...PRACTICE, returnTo: '/inbox' });
    await page.goto(threadUrl);
    await page.getByRole('heading', { name: 'Follow-up after discharge' }).waitFor();
    await page
      .getByText(/Contact the patient within 48 hours/)
      .first()
      .waitFor();
    await check(page, 'gp-narrow');
    await page.context().close();
  });

  it('a paramedic of an unrelated organisation is told the visit is not found', async () => {
    const { page } = await newPage(browser);
    await signIn(page, server.baseUrl, 'demo.ambulance', { returnTo: '/' });
    await page.goto(threadUrl);
    await page.getByRole('heading', { name: 'The admission alert could not be loaded' }).waitFor();
    expect(await page.locator('main').innerText()).not.toMatch(/What happened|Who was told/);
    await check(page, 'unrelated');
    await page.context().close();
  });
});
