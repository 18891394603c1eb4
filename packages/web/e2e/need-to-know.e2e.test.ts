import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectScreenOk, launchBrowser, newPage, signIn } from './support/browser.ts';
import { buildWebApp, startE2eServer, type E2eServer } from './support/server.ts';

/**
 * Need to know, role rules and what the patient sees online (docs/ACCESS.md), with the demo sign-ins
 * on the demo patient's record (src/platform/demo-record.ts): the GP's safeguarding flag, declaring
 * a care relationship, the receptionist's view. One server and one browser; each screen is
 * screenshotted at 1280 and 375 px into test-artifacts/ and checked with axe-core (WCAG 2.2 AA).
 */
let server: E2eServer;
let browser: Browser;
let closeBrowser: () => Promise<void>;

const NARROW = { width: 375, height: 812 };
const GP = { role: /Ormskirk Medical Practice/ };
const FLAG = 'Adult safeguarding concern';
const NOT_ONLINE = 'Not shown in the patient’s online record';

beforeAll(async () => {
  buildWebApp();
  [server, { browser, close: closeBrowser }] = await Promise.all([startE2eServer(50), launchBrowser()]);
});

afterAll(async () => {
  await closeBrowser?.();
  await server?.stop();
});

async function as(
  username: string,
  options: { role?: RegExp; returnTo?: string; viewport?: typeof NARROW } = {},
): Promise<Page> {
  const { page } = await newPage(browser, options.viewport);
  await signIn(page, server.baseUrl, username, options);
  return page;
}

/** The screen checks of support/browser.ts, with this journey's screenshot prefix. */
const check = (page: Page, name: string): Promise<void> => expectScreenOk(page, `ntk-${name}`);

/** The same page at 375 px, as the same user (a fresh sign-in). */
async function narrow(username: string, path: string, ready: (page: Page) => Promise<unknown>, name: string) {
  const page = await as(username, { returnTo: path, viewport: NARROW, ...(username === 'demo.gp' ? GP : {}) });
  await ready(page);
  await check(page, `phone-${name}`);
  await page.context().close();
}

describe('need to know', () => {
  it('the GP sees the safeguarding flag, marked as not shown in the patient’s online record', async () => {
    const path = `/patients/${server.demoPatientId}`;
    const ready = async (page: Page) => {
      const alerts = page.locator('section[aria-labelledby=alerts]');
      await alerts.getByText(FLAG).waitFor();
      expect(await alerts.textContent()).toContain(NOT_ONLINE);
      // The patient banner's alerts carry the same marking.
      const banner = page.getByRole('region', { name: 'Patient details' }).getByRole('region', { name: 'Alerts' });
      expect(await banner.textContent()).toContain(NOT_ONLINE);
      await page.getByRole('heading', { name: 'Appointments', exact: true }).waitFor();
      // Registered with the GP's practice: part of the record is withheld, but declaring would add nothing.
      expect(await page.getByText('I am caring for this patient').count()).toBe(0);
    };
    const page = await as('demo.gp', { ...GP, returnTo: path });
    await ready(page);
    await check(page, 'gp-safeguarding-flag');

    await page.getByRole('link', { name: 'Timeline' }).click();
    await page.getByRole('heading', { name: 'Timeline' }).waitFor();
    await page.getByLabel('Type').selectOption({ label: 'Alerts' });
    const entry = page.locator('.cw-timeline__entry').filter({ hasText: FLAG });
    expect(await entry.textContent()).toContain(NOT_ONLINE);
    await check(page, 'gp-timeline-flag');
    await page.context().close();

    await narrow('demo.gp', path, ready, 'gp-safeguarding-flag');
  });

  it('a nurse with no care relationship declares one, sees the record and the banner, and ends it', async () => {
    // Any demo patient but the one the nurse visits: nothing in the record links them to the nurse.
    const patientId = server.demoPatientId === 'pat-000001' ? 'pat-000002' : 'pat-000001';
    const path = `/patients/${patientId}`;
    const page = await as('demo.nurse', { returnTo: path });
    await page.getByText('Some information is not shared with your organisation').waitFor();
    await page.getByText('I am caring for this patient: declare a care relationship').click();
    await page.getByRole('button', { name: 'Declare a care relationship' }).click();
    const summary = page.getByRole('alert').filter({ hasText: 'There is a problem' });
    await summary.getByRole('link', { name: 'Enter why you are caring for this patient' }).waitFor();
    expect(await page.evaluate(() => document.activeElement?.classList.contains('nhsuk-error-summary'))).toBe(true);
    await check(page, 'declare-error');

    await page
      .getByLabel('Why are you caring for this patient?')
      .fill('Covering district nursing visits for a colleague');
    await page.getByRole('button', { name: 'Declare a care relationship' }).click();
    const banner = page.getByRole('region', { name: 'Important', exact: true });
    await banner
      .getByText(/^You declared a care relationship with this patient until \d\d:\d\d (today|tomorrow)$/)
      .waitFor();
    await page.getByRole('heading', { name: 'Problems' }).waitFor();
    expect(await banner.textContent()).toContain('Covering district nursing visits for a colleague');
    // No second declaration is offered while this one lasts.
    expect(await page.getByText('I am caring for this patient').count()).toBe(0);
    await check(page, 'declared-banner');
    await narrow(
      'demo.nurse',
      path,
      (p) => p.getByRole('button', { name: 'End the care relationship now' }).waitFor(),
      'declared-banner',
    );

    await page.getByRole('button', { name: 'End the care relationship now' }).click();
    await page.getByText('You ended your care relationship with this patient.').waitFor();
    await page.getByText('I am caring for this patient: declare a care relationship').waitFor();
    expect(await page.getByRole('heading', { name: 'Problems' }).count()).toBe(0);
    await check(page, 'declaration-ended');

    // Emergency access shows the same way, with its expiry and no early end.
    await page.getByText('Get emergency access (break-glass)').click();
    await page.getByLabel('Why do you need emergency access?').fill('Found collapsed at home, need medication history');
    await page.getByRole('button', { name: 'Get emergency access' }).click();
    await banner.getByText(/^Emergency access is on until \d\d:\d\d (today|tomorrow)$/).waitFor();
    expect(await page.getByRole('button', { name: 'End the care relationship now' }).count()).toBe(0);
    await check(page, 'break-glass-banner');
    await page.context().close();
  });

  it('the patient’s own record does not show the safeguarding flag', async () => {
    const page = await as('demo.patient');
    await page.getByRole('heading', { name: 'Your record', level: 1 }).waitFor();
    await page.locator('main h2').first().waitFor();
    expect(await page.locator('main').textContent()).not.toContain(FLAG);
    // Not even by its id: hidden is absent.
    const status = await page.evaluate(async () => {
      const key = Object.keys(sessionStorage).find((k) => k.startsWith('oidc.user:'))!;
      const token = (JSON.parse(sessionStorage.getItem(key)!) as { access_token: string }).access_token;
      const response = await fetch('/fhir/R4/Flag/demo-safeguarding-flag', {
        headers: { authorization: `Bearer ${token}` },
      });
      return response.status;
    });
    expect(status).toBe(404);
    await page.context().close();
  });

  it('the receptionist sees the patient’s details and appointments only', async () => {
    const path = `/patients/${server.demoPatientId}`;
    const ready = async (page: Page) => {
      await page.getByRole('heading', { name: 'Appointments', exact: true }).waitFor();
      await page.getByRole('region', { name: 'Patient details' }).getByText('NHS number').waitFor();
      await page.getByText('Medication review').first().waitFor();
      await page.getByText('Reception and booking staff see a patient’s details and appointments only.').waitFor();
      for (const hidden of ['Problems', 'Medications', 'Alerts', 'Allergies and adverse reactions']) {
        expect(await page.getByRole('heading', { name: hidden, exact: true }).count(), hidden).toBe(0);
      }
      expect(await page.getByRole('link', { name: 'Trends' }).count()).toBe(0);
      expect(await page.getByText('Get emergency access').count()).toBe(0);
      expect(await page.locator('main').textContent()).not.toContain(FLAG);
    };
    const page = await as('demo.reception', { returnTo: path });
    await ready(page);
    await check(page, 'reception-record');
    await page.context().close();
    await narrow('demo.reception', path, ready, 'reception-record');
  });
});
