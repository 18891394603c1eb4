import fs from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectScreenOk, launchBrowser, newPage, signIn } from './support/browser.ts';
import { buildWebApp, startE2eServer, type E2eServer } from './support/server.ts';

/**
 * The risk of emergency admission lists (docs/RISK-MODEL.md, "Lists") through the real server with
 * the demo population scored by its seed: the GP (demo.gp at Ormskirk Medical Practice) sees her
 * patients ranked with reasons, filters to "very high" and sees only that band, downloads the CSV,
 * adds a patient to her case list — a referral to care coordination, as she is not the single point
 * of access — and finds it (and withdraws it) on "My case list"; the commissioner
 * (demo.commissioner, R8012 at the CCG) sees pseudonyms and no names, NHS numbers or record links; a
 * paramedic of an unrelated organisation sees none of the GP's patients and cannot add one; patients
 * get no header link. Each screen is screenshotted at 1280 and 375 px into test-artifacts/ and
 * checked with axe-core (WCAG 2.2 AA).
 */
let server: E2eServer;
let browser: Browser;
let closeBrowser: () => Promise<void>;

const NARROW = { width: 375, height: 812 };
const GP = 'demo.gp';
const PRACTICE = { role: /Ormskirk Medical Practice/ };
const LIST = '/population-health';
/** An NHS number as the app spaces it, or as ten digits. */
const NHS_NUMBER = /\b\d{3} \d{3} \d{4}\b|\b\d{10}\b/;

beforeAll(async () => {
  buildWebApp();
  [server, { browser, close: closeBrowser }] = await Promise.all([startE2eServer(40), launchBrowser()]);
});

afterAll(async () => {
  await closeBrowser?.();
  await server?.stop();
});

const check = (page: Page, name: string): Promise<void> => expectScreenOk(page, `population-health-${name}`);

/** A call to the API as the signed-in user (the token oidc-client-ts keeps in the tab's session storage). */
async function apiCall(
  page: Page,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<{ status: number; json: unknown }> {
  return page.evaluate(
    async ({ method, path, body }) => {
      const key = Object.keys(sessionStorage).find((k) => k.startsWith('oidc.user:'))!;
      const token = (JSON.parse(sessionStorage.getItem(key)!) as { access_token: string }).access_token;
      const response = await fetch(path, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      return { status: response.status, json: text ? (JSON.parse(text) as unknown) : undefined };
    },
    { method, path, body },
  );
}

async function riskList(page: Page): Promise<void> {
  await page.getByRole('heading', { level: 1, name: /Risk of emergency admission/ }).waitFor();
  await page
    .getByRole('status')
    .filter({ hasText: /Showing|None shown/ })
    .waitFor();
}

/** The probabilities of the table's rows, top to bottom ("84.8%" → 84.8). */
async function probabilities(page: Page): Promise<number[]> {
  const cells = await page
    .locator('tbody tr')
    .evaluateAll((rows) => rows.map((row) => /(\d+(?:\.\d+)?)%/.exec(row.textContent ?? '')?.[1] ?? 'NaN'));
  return cells.map(Number);
}

describe('risk of emergency admission lists', () => {
  it('the GP sees a ranked, explained list, filters to very high, downloads it and keeps a case list (1280 px)', async () => {
    const { page } = await newPage(browser);
    await signIn(page, server.baseUrl, GP, { ...PRACTICE, returnTo: LIST });
    await page.goto(`${server.baseUrl}${LIST}`);
    await riskList(page);
    expect(await page.locator(`header a[href="${LIST}"]`).count(), 'a header link for staff').toBeGreaterThan(0);
    await page.getByText(/^Model ea12-v1, scores made up to /).waitFor();

    // Ranked: highest first, every row with a name, an NHS number, a band tag and a link to the record.
    const ranked = await probabilities(page);
    expect(ranked.length).toBeGreaterThan(1);
    expect(ranked).toEqual([...ranked].sort((a, b) => b - a));
    const first = page.locator('tbody tr').first();
    expect(await first.locator('a[href^="/patients/"]').count()).toBe(1);
    expect(await first.innerText()).toMatch(/NHS number \d{3} \d{3} \d{4}/);
    expect(await first.locator('.nhsuk-tag').first().textContent()).toMatch(/Very high|High|Moderate|Low/);
    // "Why": the top row's reasons, in words.
    expect(await first.locator('td').filter({ hasText: 'Why' }).locator('li').count()).toBeGreaterThan(0);
    await page.getByText('What the risk bands mean').click();
    await page.getByText('very high: the top 0.5% (about 1 in 200 people)').waitFor();
    await check(page, 'gp-wide-list');

    // Filtered to very high: the address keeps it, and only that band is shown.
    await page.getByLabel('Risk band', { exact: true }).selectOption('very-high');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/band=very-high/);
    await riskList(page);
    await page.locator('tbody tr').first().waitFor();
    const tags = await page
      .locator('tbody tr')
      .evaluateAll((rows) => rows.map((row) => row.querySelector('.nhsuk-tag')?.textContent));
    expect(tags.length).toBeGreaterThan(0);
    expect(new Set(tags)).toEqual(new Set(['Very high']));
    expect(await page.getByLabel('Risk band', { exact: true }).inputValue()).toBe('very-high');
    await check(page, 'gp-wide-very-high');

    // The CSV: the same filter, with the bearer token, saved as a file.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Download CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^risk-list-identifiable-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = fs
      .readFileSync(await download.path(), 'utf8')
      .trim()
      .split('\n');
    expect(csv[0]).toMatch(/^NHS number,Name,/);
    expect(csv.length - 1).toBe(tags.length);
    expect(csv.slice(1).every((line) => line.includes(',very-high,'))).toBe(true);

    // "Add to case list": the GP is not the single point of access, so it refers the patient to care
    // coordination with the score as the reason; "My case list" says so, and the referral can be withdrawn.
    await page.goto(`${server.baseUrl}${LIST}`);
    await riskList(page);
    const add = page.getByRole('button', { name: /^Add .+ to case list$/ }).first();
    const name = /^Add (.+) to case list$/.exec((await add.textContent())!.trim())![1]!;
    await add.click();
    const row = page.getByRole('row').filter({ has: page.getByRole('link', { name, exact: true }) });
    await row.getByText('Referred to care coordination').waitFor();
    await row.getByRole('link', { name: 'your case list' }).click();
    await page.getByRole('heading', { level: 1, name: 'My case list' }).waitFor();
    const entry = page.getByRole('row').filter({ has: page.getByRole('link', { name, exact: true }) });
    await entry.getByText('Referred: waiting for triage').waitFor();
    expect(await entry.innerText()).toMatch(/Risk of emergency admission/);
    await check(page, 'gp-wide-case-list');
    await entry.getByRole('button', { name: `Withdraw referral for ${name}` }).click();
    await page.getByRole('link', { name, exact: true }).waitFor({ state: 'detached' });
    await page.context().close();
  });

  it('works at 375 px for the GP: the list, a score and the case list', async () => {
    const { page } = await newPage(browser, NARROW);
    await signIn(page, server.baseUrl, GP, { ...PRACTICE, returnTo: LIST });
    await page.goto(`${server.baseUrl}${LIST}`);
    await riskList(page);
    await page.locator('tbody tr').first().waitFor();
    await check(page, 'gp-narrow-list');
    const name = (await page.locator('tbody tr').first().locator('a[href^="/patients/"]').textContent())!.trim();
    await page.getByRole('link', { name: `Score details for ${name}` }).click();
    await page.getByRole('heading', { level: 1, name: 'Risk of emergency admission' }).waitFor();
    await page.getByText('What raised it most').waitFor();
    await check(page, 'gp-narrow-score');
    await page.getByRole('button', { name: 'Score again now' }).click();
    await page.getByRole('button', { name: 'Score again now' }).waitFor();
    await page.goto(`${server.baseUrl}${LIST}/case-list`);
    await page.getByRole('heading', { level: 1, name: 'My case list' }).waitFor();
    await page.locator('main table, main .cw-empty').first().waitFor();
    await check(page, 'gp-narrow-case-list');
    await page.context().close();
  });

  it.each([
    ['wide', undefined],
    ['narrow', NARROW],
  ] as const)(
    'the commissioner sees pseudonyms, no names, NHS numbers or record links (%s)',
    async (size, viewport) => {
      const { page } = await newPage(browser, viewport);
      await signIn(page, server.baseUrl, 'demo.commissioner', { returnTo: LIST });
      await page.goto(`${server.baseUrl}${LIST}`);
      await page.getByRole('heading', { level: 1, name: 'Risk of emergency admission (pseudonymised)' }).waitFor();
      await page.locator('tbody tr').first().waitFor();
      const main = await page.locator('main').innerText();
      expect(main).not.toMatch(NHS_NUMBER);
      expect(await page.locator('table').innerText()).not.toContain('NHS number');
      expect(await page.locator('main a[href^="/patients/"]').count()).toBe(0);
      expect(
        await page
          .locator('main')
          .getByRole('button', { name: /to case list/ })
          .count(),
      ).toBe(0);
      const pseudonyms = await page
        .locator('tbody th')
        .evaluateAll((cells) => cells.map((cell) => cell.querySelector('code')?.textContent ?? ''));
      expect(pseudonyms.length).toBeGreaterThan(0);
      expect(pseudonyms.every((p) => /^[A-Z0-9-]{6,}$/.test(p))).toBe(true);
      // The very-high band of a small demo population is fewer than 5 people: said, not counted.
      await page.getByText('fewer than 5 people').first().waitFor();
      await check(page, `commissioner-${size}`);
      await page.context().close();
    },
  );

  it('a paramedic of an unrelated organisation sees none of the GP’s patients and cannot add one', async () => {
    const gp = (await newPage(browser)).page;
    await signIn(gp, server.baseUrl, GP, { ...PRACTICE, returnTo: LIST });
    const top = (await apiCall(gp, 'GET', '/api/population-health/risk-list?band=very-high')).json as {
      rows: { patient: { reference: string } }[];
    };
    const patientId = top.rows[0]!.patient.reference.split('/')[1]!;
    await gp.context().close();

    const { page } = await newPage(browser);
    await signIn(page, server.baseUrl, 'demo.ambulance', { returnTo: LIST });
    await page.goto(`${server.baseUrl}${LIST}`);
    await riskList(page);
    expect(await page.locator('main').innerText()).not.toContain(patientId);
    await page.getByText('No one on this list that you may see.').waitFor();
    // Hidden and absent look the same: no score shown, and adding is refused as not found.
    await page.goto(`${server.baseUrl}${LIST}/patients/${patientId}`);
    await page.getByText('There is no risk score for this patient that you can see.').waitFor();
    // Asking to score them is refused as for a patient who does not exist (404).
    await page.getByRole('button', { name: 'Score now' }).click();
    await page.getByRole('heading', { name: 'The patient could not be scored' }).waitFor();
    await page
      .getByText(/is not known|not found|could not find/i)
      .first()
      .waitFor();
    expect((await apiCall(page, 'POST', '/api/population-health/case-list', { patientId })).status).toBe(404);
    expect((await apiCall(page, 'GET', '/api/population-health/pseudonymised-list')).status).toBe(403);
    await check(page, 'unrelated-score');
    await page.context().close();
  });

  it('patients get no link to the lists', async () => {
    const { page } = await newPage(browser);
    await signIn(page, server.baseUrl, 'demo.patient', { returnTo: '/' });
    await page.locator('header').waitFor();
    expect(await page.locator(`header a[href="${LIST}"]`).count()).toBe(0);
    await page.context().close();
  });
});
