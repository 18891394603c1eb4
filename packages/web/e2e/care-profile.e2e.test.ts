import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectScreenOk, launchBrowser, newPage, signIn } from './support/browser.ts';
import { buildWebApp, startE2eServer, type E2eServer } from './support/server.ts';

/**
 * The core personal profile (docs/CARE-PROFILE.md) with the demo sign-ins on the demo patient, who
 * has a profile from the module's demo data (what matters to them, a ReSPECT form): the GP's page
 * and its one-page print; the patient's portal page and a suggested correction, which the GP
 * accepts; a paramedic with no relationship declares one at a 999 call and sees the profile. Each
 * screen is screenshotted at 1280 and 375 px into test-artifacts/ and checked with axe-core (WCAG 2.2 AA).
 */
let server: E2eServer;
let browser: Browser;
let closeBrowser: () => Promise<void>;

const NARROW = { width: 375, height: 812 };
const GP = { role: /Ormskirk Medical Practice/ };
const SUGGESTION = 'I stopped taking one of these tablets in October.';

beforeAll(async () => {
  buildWebApp();
  [server, { browser, close: closeBrowser }] = await Promise.all([startE2eServer(40), launchBrowser()]);
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

const check = (page: Page, name: string): Promise<void> => expectScreenOk(page, `care-profile-${name}`);
const staffPath = () => `/patients/${server.demoPatientId}/care-profile`;
const respect = (page: Page) => page.getByRole('region', { name: 'DNACPR and ReSPECT' });

/** The same page at 375 px, as the same user (a fresh sign-in). */
async function narrow(username: string, path: string, ready: (page: Page) => Promise<unknown>, name: string) {
  const page = await as(username, { returnTo: path, viewport: NARROW, ...(username === 'demo.gp' ? GP : {}) });
  await ready(page);
  await check(page, `phone-${name}`);
  await page.context().close();
}

/** How many pages the page prints on (Chromium's own PDF of the print stylesheet, A4). */
async function printedPages(page: Page): Promise<number> {
  await page.emulateMedia({ media: 'print' });
  const pdf = (await page.pdf({ format: 'A4', printBackground: true, preferCSSPageSize: true })).toString('latin1');
  await page.emulateMedia({ media: 'screen' });
  return (pdf.match(/\/Type\s*\/Page(?!s)/g) ?? []).length;
}

describe('the core personal profile', () => {
  it('the GP sees the demo patient’s profile, with ReSPECT first, and it prints on one page', async () => {
    const ready = async (page: Page) => {
      await page.getByRole('heading', { name: 'Core personal profile', level: 1 }).waitFor();
      await respect(page)
        .getByText(/^ReSPECT form/)
        .waitFor();
      await page.getByRole('region', { name: 'What matters to me' }).locator('li').first().waitFor();
    };
    const page = await as('demo.gp', { ...GP, returnTo: `/patients/${server.demoPatientId}` });
    // The record links to it at the top and, as a document, from the summary: both open the same page.
    const links = page.getByRole('link', { name: 'Core personal profile' });
    await links.first().waitFor();
    expect(new Set(await links.evaluateAll((anchors) => anchors.map((a) => a.getAttribute('href'))))).toEqual(
      new Set([`/patients/${server.demoPatientId}/care-profile`]),
    );
    await links.first().click();
    await ready(page);
    for (const title of ['Key contacts and carers', 'Allergies', 'Conditions', 'Medicines', 'Care plan']) {
      await page.getByRole('heading', { name: title, exact: true }).waitFor();
    }
    // On paper it is about someone: name, NHS number and date of birth.
    const who = await page.locator('.cw-profile__who').textContent();
    expect(who).toContain('NHS number');
    expect(who).toContain('Date of birth');
    await check(page, 'gp');

    expect(await printedPages(page)).toBe(1);
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('.nhsuk-header').isVisible()).toBe(false);
    expect(await page.getByRole('heading', { name: 'Add to the profile' }).isVisible()).toBe(false);
    expect(await respect(page).isVisible()).toBe(true);
    await page.emulateMedia({ media: 'screen' });
    await page.context().close();

    await narrow('demo.gp', staffPath(), ready, 'gp');
  });

  it('the patient sees it in the portal and suggests a correction', async () => {
    const page = await as('demo.patient', { returnTo: '/my/care-profile' });
    await page.getByRole('heading', { name: 'Your care profile' }).waitFor();
    await respect(page)
      .getByText(/^ReSPECT form/)
      .waitFor();
    await check(page, 'patient');

    await page.getByRole('button', { name: 'Send to my practice' }).click();
    await page.getByText('Enter what is wrong or missing').waitFor();
    await check(page, 'patient-error');

    await page.getByLabel('Which part is it about?').selectOption({ label: 'Medicines' });
    await page.getByLabel('What is wrong or missing?').fill(SUGGESTION);
    await page.getByRole('button', { name: 'Send to my practice' }).click();
    await page.getByText('Sent to your GP practice.').waitFor();
    await page.getByText('Waiting for a decision').waitFor();
    await check(page, 'patient-suggested');
    await page.context().close();

    await narrow(
      'demo.patient',
      '/my/care-profile',
      (p) => p.getByText('Waiting for a decision').waitFor(),
      'patient-suggested',
    );
  });

  it('the GP accepts the patient’s suggestion', async () => {
    const page = await as('demo.gp', { ...GP, returnTo: staffPath() });
    const suggestions = page.getByRole('region', { name: 'Corrections suggested by the patient' });
    await suggestions.locator('li').filter({ hasText: SUGGESTION }).waitFor();
    await check(page, 'gp-suggestion');
    await suggestions.getByRole('button', { name: /^Accept/ }).click();
    await suggestions.getByText('Accepted', { exact: true }).waitFor();
    expect(await suggestions.getByRole('button', { name: /^Accept/ }).count()).toBe(0);
    await check(page, 'gp-accepted');
    await page.context().close();

    const patient = await as('demo.patient', { returnTo: '/my/care-profile' });
    await patient.getByText('Accepted', { exact: true }).waitFor();
    await patient.context().close();
  });

  it('a paramedic at a 999 call declares a care relationship and then sees the profile', async () => {
    const page = await as('demo.ambulance', { returnTo: staffPath() });
    await page.getByLabel('Why are you caring for this patient?').waitFor();
    expect(await respect(page).count()).toBe(0);
    await check(page, 'ambulance-no-relationship');

    await page.getByLabel('Why are you caring for this patient?').fill('Attending 999 call: fall at home');
    await page.getByRole('button', { name: 'Declare a care relationship' }).click();
    await respect(page)
      .getByText(/^ReSPECT form/)
      .waitFor();
    await page.getByRole('heading', { name: 'Medicines', exact: true }).waitFor();
    await check(page, 'ambulance');
    await page.context().close();

    await narrow(
      'demo.ambulance',
      staffPath(),
      (p) =>
        respect(p)
          .getByText(/^ReSPECT form/)
          .waitFor(),
      'ambulance',
    );
  });
});
