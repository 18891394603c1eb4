import type { Patient } from '@medplum/fhirtypes';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DESKTOP, expectScreenOk, launchBrowser, newPage, screenshot, signIn } from './support/browser.ts';
import { buildWebApp, startE2eServer, type E2eServer } from './support/server.ts';

/**
 * Electronic referrals (docs/REFERRALS.md) end to end. demo.gp opens a patient's record → "Refer to a
 * specialist" → MSK → sees the local pathway → fills the pre-filled form (errors first, in the error
 * summary) → the shortlist with waits and distances → books a chosen slot now → the UBRN and the
 * letter password, once → the referral's page (history, appointment). A second referral goes to the
 * orthopaedic referral assessment service for triage; demo.triager rejects it with a coded reason,
 * reading the patient's plain-English letter first; it is on demo.gp's rejected list. Attack: staff with no
 * relationship to the patient (a care home's, or the ambulance service's) are told the referral could not be found, exactly as for
 * one that does not exist. Every screen: axe (WCAG 2.2 AA), no console errors, screenshots at 1280
 * and 375 px wide.
 */
let server: E2eServer;
let browser: Browser;
let closeBrowser: () => Promise<void>;

const PRACTICE = { role: /Ormskirk Medical Practice/ };
const PHONE_NARROW = { width: 375, height: 812 };
/** Each journey signs in two or three people and checks a dozen screens twice. */
const JOURNEY = 600_000;

/** The checks of every screen, at desktop width and on a narrow phone. */
async function check(page: Page, name: string): Promise<void> {
  await expectScreenOk(page, `referrals-${name}`);
  await page.setViewportSize(PHONE_NARROW);
  await expectScreenOk(page, `referrals-${name}-375`);
  await page.setViewportSize(DESKTOP);
}

beforeAll(async () => {
  buildWebApp();
  [server, { browser, close: closeBrowser }] = await Promise.all([startE2eServer(40), launchBrowser()]);
  // Seeding takes minutes on a shared two-core machine (startE2eServer allows it 15).
});

afterAll(async () => {
  await closeBrowser?.();
  await server?.stop();
});

/** A FHIR read as the signed-in user (the token oidc-client-ts keeps in the tab's session storage). */
async function fhir<T>(page: Page, path: string): Promise<T> {
  return page.evaluate<T, string>(async (path) => {
    const key = Object.keys(sessionStorage).find((k) => k.startsWith('oidc.user:'))!;
    const token = (JSON.parse(sessionStorage.getItem(key)!) as { access_token: string }).access_token;
    const response = await fetch(`/fhir/R4/${path}`, { headers: { authorization: `Bearer ${token}` } });
    return (await response.json()) as T;
  }, path);
}

/** The HTTP status of a FHIR read as the signed-in user. */
async function fhirStatus(page: Page, path: string): Promise<number> {
  return page.evaluate<number, string>(async (path) => {
    const key = Object.keys(sessionStorage).find((k) => k.startsWith('oidc.user:'))!;
    const token = (JSON.parse(sessionStorage.getItem(key)!) as { access_token: string }).access_token;
    return (await fetch(`/fhir/R4/${path}`, { headers: { authorization: `Bearer ${token}` } })).status;
  }, path);
}

/** A living adult of the GP's practice (the MSK services take 16 and over, in West Lancashire). */
async function practiceAdult(page: Page): Promise<{ id: string; name: string }> {
  const bundle = await fhir<{ entry?: { resource: Patient }[] }>(page, 'Patient?_count=100&_sort=birthdate');
  const adult = (bundle.entry ?? [])
    .map((e) => e.resource)
    .find(
      (p) =>
        !p.deceasedBoolean &&
        !p.deceasedDateTime &&
        p.generalPractitioner &&
        p.birthDate &&
        p.birthDate > '1940-01-01' &&
        p.birthDate < '1990-01-01',
    );
  if (!adult) {
    throw new Error('No adult patient of the practice');
  }
  const name = adult.name?.find((n) => n.use === 'official') ?? adult.name?.[0];
  return { id: adult.id!, name: [name?.given?.join(' '), name?.family].filter(Boolean).join(' ') };
}

describe('electronic referrals', () => {
  let referralId = '';
  let referredPatient = '';

  it(
    'GP: record → MSK pathway → pre-filled form → shortlist → book now → UBRN and password',
    async () => {
      const gp = (await newPage(browser)).page;
      await signIn(gp, server.baseUrl, 'demo.gp', { ...PRACTICE, returnTo: '/find' });
      const patient = await practiceAdult(gp);
      await gp.goto(`${server.baseUrl}/patients/${patient.id}`);
      await gp.getByRole('link', { name: 'Refer to a specialist' }).click();
      await gp.getByRole('heading', { name: `Refer ${patient.name}` }).waitFor();
      await gp.getByRole('button', { name: 'Continue' }).click();
      await gp.getByRole('alert').getByRole('link', { name: 'Choose the specialty you are referring to' }).waitFor();
      await gp.getByLabel('MSK (musculoskeletal) and physiotherapy').check();
      await check(gp, 'specialty');
      await gp.getByRole('button', { name: 'Continue' }).click();

      // The local pathway: criteria, tests first, A&G, red flags, approved by whom and when.
      await gp
        .getByRole('heading', { name: /^Local pathway: / })
        .first()
        .waitFor();
      await gp
        .getByText(/Approved \d+ \w+ \d{4}/)
        .first()
        .waitFor();
      await gp.getByRole('heading', { name: 'Red flags: refer as a two-week wait' }).first().waitFor();
      await gp.getByRole('heading', { name: 'Musculoskeletal (MSK) referral' }).waitFor();
      await gp.getByLabel('Active problems (from the record) (optional)').waitFor();
      await gp.getByRole('button', { name: 'Save and choose a service' }).click();
      const summary = gp.locator('.nhsuk-error-summary');
      await summary.getByRole('link', { name: /^Enter reason for referral/ }).waitFor();
      await summary.getByRole('link', { name: 'Answer “How long has the problem lasted?”' }).waitFor();
      await check(gp, 'form-errors');

      await gp
        .getByLabel('Reason for referral and what you are asking for')
        .fill('Right knee pain for five months despite physiotherapy; locking and giving way');
      await gp.getByLabel('3 to 12 months').check();
      await gp.locator('#q-tried-physiotherapy-yes').check();
      await gp.locator('#q-red-flag-mass-no').check();
      await check(gp, 'form');
      await gp.getByRole('button', { name: 'Save and choose a service' }).click();

      // The shortlist: up to five eligible services with waits and distances; the patient's choice.
      await gp.getByRole('heading', { name: 'Choose a service' }).waitFor();
      await gp.getByText(/Services offered to the patient \(\d\)/).waitFor();
      const offered = await gp.locator('input[name=service]').count();
      expect(offered).toBeGreaterThan(0);
      expect(offered).toBeLessThanOrEqual(5);
      await gp
        .getByText(/Wait: .* km away/)
        .first()
        .waitFor();
      await gp.getByLabel('Community physiotherapy, Skelmersdale').check();
      await gp.getByLabel('Book now').check();
      await gp.getByRole('group', { name: 'Appointment' }).waitFor();
      await gp.locator('input[name=slot]').nth(1).check();
      await check(gp, 'shortlist');
      await gp.getByRole('button', { name: 'Send referral' }).click();

      await gp.getByRole('heading', { name: 'Referral sent' }).waitFor();
      await gp.getByRole('heading', { name: 'Booked' }).waitFor();
      const ubrn = (await gp.locator('.cw-ubrn').textContent())!.trim();
      expect(ubrn).toMatch(/^[1-9]\d{11}$/);
      expect((await gp.locator('.cw-letter-password').textContent())!.trim()).toMatch(/^[a-z2-9]{8}$/);
      await gp.getByText(/^Booked at Community physiotherapy, Skelmersdale: \w+day/).waitFor();
      await check(gp, 'sent');

      // The referral's page: status history, the appointment — and the password nowhere.
      await gp.getByRole('link', { name: 'Open the referral' }).click();
      await gp.getByRole('heading', { name: `Referral ${ubrn}` }).waitFor();
      await gp.locator('.cw-referral-history li', { hasText: 'Booked' }).first().waitFor();
      await gp.getByRole('heading', { name: 'Appointments' }).waitFor();
      await gp.getByText(/— booked, Community physiotherapy, Skelmersdale/).waitFor();
      await gp.getByRole('heading', { name: /^Local pathway: / }).waitFor();
      expect(await gp.locator('.cw-letter-password').count()).toBe(0);
      await check(gp, 'detail');
    },
    JOURNEY,
  );

  it(
    'triage: the hospital rejects with a coded reason and the patient’s plain-English letter',
    async () => {
      const gp = (await newPage(browser)).page;
      await signIn(gp, server.baseUrl, 'demo.gp', { ...PRACTICE, returnTo: '/find' });
      const patient = await practiceAdult(gp);
      await gp.goto(`${server.baseUrl}/referrals/new?patient=${patient.id}`);
      await gp.getByLabel('Trauma and orthopaedics').check();
      await gp.getByRole('button', { name: 'Continue' }).click();
      await gp
        .getByLabel('Reason for referral and what you are asking for')
        .fill('Low back pain for ten weeks, no red flags; would like a specialist view');
      await gp.getByRole('button', { name: 'Save and choose a service' }).click();
      await gp.getByLabel('Orthopaedic referral assessment service').check();
      await gp.getByLabel('Send for triage').check();
      await gp.getByRole('button', { name: 'Send referral' }).click();
      await gp.getByRole('heading', { name: 'For review (triage)' }).waitFor();
      const ubrn = (await gp.locator('.cw-ubrn').textContent())!.trim();
      await gp.getByRole('link', { name: 'Open the referral' }).click();
      await gp.getByRole('heading', { name: `Referral ${ubrn}` }).waitFor();
      referralId = new URL(gp.url()).pathname.split('/')[2]!;
      referredPatient = patient.id;

      // The triager's worklist, the referral, and the decision with the letter previewed.
      const triager = (await newPage(browser)).page;
      await signIn(triager, server.baseUrl, 'demo.triager', { returnTo: '/referrals?list=for-review' });
      await triager.getByRole('heading', { name: 'Referral worklists' }).waitFor();
      const row = triager.getByRole('row').filter({ hasText: ubrn });
      await row.waitFor();
      await check(triager, 'for-review');
      await row.getByRole('link', { name: new RegExp(patient.name) }).click();
      await triager.getByRole('heading', { name: `Referral ${ubrn}` }).waitFor();
      await triager.getByLabel('Reject').check();
      await triager.getByRole('button', { name: 'Save decision' }).click();
      await triager.getByRole('alert').getByRole('link', { name: 'Choose the reason' }).waitFor();
      await triager.getByLabel('Does not meet the referral criteria').check();
      const letter = triager.getByTestId('letter-preview');
      await letter.filter({ hasText: /do not meet the criteria agreed locally/ }).waitFor();
      expect((await letter.textContent())!.trim()).toMatch(/^Dear /);
      await triager.getByLabel('Why, for the referrer').fill('Simple mechanical back pain: physiotherapy first');
      await check(triager, 'triage');
      await triager.getByRole('button', { name: 'Save decision' }).click();
      await triager.getByRole('heading', { name: 'Referral rejected' }).waitFor();
      await triager.locator('.cw-letter', { hasText: /do not meet the criteria agreed locally/ }).waitFor();
      await check(triager, 'rejected');

      // Back with the GP: on the rejected or returned list until they act; the letter on the referral.
      await gp.goto(`${server.baseUrl}/referrals?list=rejected-or-returned`);
      const back = gp.getByRole('row').filter({ hasText: ubrn });
      await back.getByText(/Rejected: Does not meet the referral criteria \(needs your action\)/).waitFor();
      await check(gp, 'rejected-list');
      await gp.goto(`${server.baseUrl}/referrals/${referralId}`);
      await gp.getByRole('heading', { name: 'Letters to the patient' }).waitFor();
      await gp.locator('.cw-letter', { hasText: /do not meet the criteria agreed locally/ }).waitFor();
      await gp.getByRole('heading', { name: 'Act on the rejected or returned referral' }).waitFor();
      await check(gp, 'rejected-detail');
    },
    JOURNEY,
  );

  it(
    'attack: staff without a relationship are told the referral could not be found, as for none',
    async () => {
      expect(referralId).not.toBe('');
      // The attacker: the first of these who has no relationship with the patient (their record is 404 to them).
      let outsider: Page | undefined;
      for (const login of ['demo.carehome', 'demo.ambulance', 'demo.socialworker']) {
        const page = (await newPage(browser)).page;
        await signIn(page, server.baseUrl, login, { returnTo: '/find' });
        if ((await fhirStatus(page, `Patient/${referredPatient}`)) === 404) {
          outsider = page;
          break;
        }
      }
      expect(outsider, 'someone without a relationship with the patient').toBeDefined();
      await outsider!.goto(`${server.baseUrl}/referrals/${referralId}`);
      // Whatever the page shows (the referral, or that it could not be found), it is screenshotted first.
      await outsider!.locator('[role=alert], .nhsuk-summary-list').first().waitFor();
      await screenshot(outsider!, 'referrals-hidden-seen');
      const hidden = outsider!.getByRole('alert');
      await hidden.getByText('The referral could not be found').waitFor();
      expect(await outsider!.locator('.nhsuk-summary-list').count()).toBe(0);
      const hiddenText = await hidden.textContent();
      await check(outsider!, 'hidden');
      await outsider!.goto(`${server.baseUrl}/referrals/does-not-exist`);
      await outsider!.getByRole('alert').getByText('The referral could not be found').waitFor();
      expect((await outsider!.getByRole('alert').textContent())?.replace(/does-not-exist/g, referralId)).toBe(
        hiddenText,
      );
    },
    JOURNEY,
  );
});
