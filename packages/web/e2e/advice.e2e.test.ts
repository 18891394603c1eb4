import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectScreenOk, launchBrowser, newPage, signIn } from './support/browser.ts';
import { buildWebApp, startE2eServer, type E2eServer } from './support/server.ts';

/**
 * Advice and guidance (docs/REFERRALS.md, "Advice and guidance") through the real server and its demo
 * data: demo.gp sees the practice's conversations (one overdue), asks the orthopaedic service a
 * question about the demo patient with a photograph (a file of another type is refused at once);
 * demo.consultant finds it on the hospital's list, asks for more; the GP replies; the consultant
 * proposes an urgent referral; the GP agrees and the conversation closes with a referral made. A
 * paramedic of an unrelated organisation who opens the same address is told it is not found. Each
 * screen is screenshotted at 1280 and 375 px into test-artifacts/ and checked with axe-core.
 */
let server: E2eServer;
let browser: Browser;
let closeBrowser: () => Promise<void>;

const NARROW = { width: 375, height: 812 };
const PRACTICE = { role: /Ormskirk Medical Practice/ };
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);

beforeAll(async () => {
  buildWebApp();
  [server, { browser, close: closeBrowser }] = await Promise.all([startE2eServer(40), launchBrowser()]);
});

afterAll(async () => {
  await closeBrowser?.();
  await server?.stop();
});

const check = (page: Page, name: string): Promise<void> => expectScreenOk(page, `advice-${name}`);

async function as(username: string, returnTo: string, viewport?: { width: number; height: number }): Promise<Page> {
  const { page } = await newPage(browser, viewport);
  await signIn(page, server.baseUrl, username, { ...(username === 'demo.gp' ? PRACTICE : {}), returnTo });
  return page;
}

async function respond(page: Page, choice: RegExp | undefined, text: string): Promise<void> {
  if (choice) {
    await page.getByLabel(choice).check();
  }
  await page.getByLabel('Message', { exact: true }).fill(text);
  await page.getByRole('button', { name: 'Send', exact: true }).click();
}

describe('advice and guidance', () => {
  let threadUrl: string;

  it('the GP sees the practice’s conversations, one overdue (1280 px)', async () => {
    const page = await as('demo.gp', '/advice');
    await page.getByRole('heading', { level: 1, name: 'Advice and guidance' }).waitFor();
    const table = page.getByRole('table');
    await table
      .getByText(/Overdue/)
      .first()
      .waitFor();
    expect(await table.locator('tbody tr').count()).toBeGreaterThanOrEqual(2);
    await check(page, 'gp-list');
    await page.getByRole('link', { name: 'Show closed ones too' }).click();
    await table.getByText('Referral avoided').first().waitFor();
    await table.getByText('Referral made').first().waitFor();
    await page.context().close();
  });

  it('the GP asks about the demo patient with a photograph; a file of another type is refused', async () => {
    const page = await as('demo.gp', `/advice/new?patient=${server.demoPatientId}`);
    await page.getByRole('heading', { level: 1, name: 'Ask a specialist for advice' }).waitFor();
    const service = page.getByLabel('Service to ask');
    const option = service.locator('option', { hasText: 'Orthopaedics, Ormskirk' }).first();
    await service.selectOption(await option.getAttribute('value'));
    await page
      .getByLabel('Your question')
      .fill('Shoulder pain for four months after a fall, weak abduction: image first or refer?');
    await page.getByLabel('Attach files (optional)').setInputFiles({
      name: 'setup.exe',
      mimeType: 'application/x-msdownload',
      buffer: Buffer.from('MZ'),
    });
    await page.getByText('setup.exe is not a PDF, JPEG or PNG file').first().waitFor();
    await page
      .getByLabel('Attach files (optional)')
      .setInputFiles({ name: 'shoulder.png', mimeType: 'image/png', buffer: PNG });
    await page.getByText('Attached: shoulder.png').waitFor();
    await check(page, 'gp-new');
    await page.getByRole('button', { name: 'Send the question' }).click();
    await page.waitForURL(/\/advice\/[^/?]+\?sent=1$/);
    await page.getByText('Your question was sent.').waitFor();
    await page.getByRole('button', { name: /Download shoulder\.png/ }).waitFor();
    await page.getByText('Awaiting advice').first().waitFor();
    threadUrl = page.url().replace(/\?sent=1$/, '');
    await check(page, 'gp-sent');
    await page.context().close();
  });

  it('the consultant finds it on the hospital’s list and asks for more information', async () => {
    const page = await as('demo.consultant', '/advice');
    // The hospital's default list is the questions for it to answer: the new one is there.
    await page.getByRole('table', { name: 'Questions for your services' }).waitFor();
    await page.getByRole('link', { name: 'For us to answer' }).or(page.getByText('For us to answer')).first().waitFor();
    await check(page, 'consultant-list');
    await page.goto(threadUrl);
    await page.getByRole('heading', { name: 'Respond' }).waitFor();
    await respond(page, /Ask the practice for more information/, 'Is there a painful arc, and night pain?');
    await page.getByText('Your message was sent.').waitFor();
    await page.getByText('More information requested').first().waitFor();
    await check(page, 'consultant-asked');
    await page.context().close();
  });

  it('the GP replies; the consultant proposes an urgent referral; the GP agrees', async () => {
    const gp = await as('demo.gp', new URL(threadUrl).pathname);
    await gp.getByRole('heading', { name: 'Reply to the specialist' }).waitFor();
    await respond(gp, undefined, 'Yes to both; active elevation to 70 degrees only.');
    await gp.getByText('Your message was sent.').waitFor();

    const consultant = await as('demo.consultant', new URL(threadUrl).pathname);
    await consultant.getByRole('heading', { name: 'Respond' }).waitFor();
    await consultant.getByLabel(/Propose a referral/).check();
    await consultant.getByLabel('Urgent', { exact: true }).check();
    await consultant
      .getByLabel('Message', { exact: true })
      .fill('Likely cuff tear: refer urgently to the upper limb clinic.');
    await consultant.getByRole('button', { name: 'Send', exact: true }).click();
    await consultant.getByText('Referral proposed: the practice has been told.').waitFor();
    await consultant.context().close();

    await gp.reload();
    await gp.getByRole('heading', { name: 'The specialist proposes a referral' }).waitFor();
    await check(gp, 'gp-proposal');
    await gp.getByRole('button', { name: 'Agree and make the referral' }).click();
    await gp.getByText('Referral agreed: a referral draft was made with the proposed priority.').waitFor();
    await gp.getByText('Closed: Referral made').waitFor();
    await check(gp, 'gp-converted');
    await gp.context().close();
  });

  it('works at 375 px', async () => {
    const page = await as('demo.gp', new URL(threadUrl).pathname, NARROW);
    await page.getByRole('heading', { name: 'Conversation' }).waitFor();
    await check(page, 'gp-narrow');
    await page.goto(`${server.baseUrl}/advice`);
    await page.getByRole('table').waitFor();
    await check(page, 'gp-list-narrow');
    await page.context().close();
  });

  it('a paramedic of an unrelated organisation is told the conversation is not found', async () => {
    const page = await as('demo.ambulance', '/');
    await page.goto(threadUrl);
    await page.getByRole('heading', { name: 'The conversation could not be loaded' }).waitFor();
    expect(await page.locator('main').innerText()).not.toMatch(/Shoulder pain|Conversation/);
    await check(page, 'unrelated');
    await page.context().close();
  });
});
