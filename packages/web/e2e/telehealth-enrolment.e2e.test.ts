import type { Patient } from '@medplum/fhirtypes';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectScreenOk, launchBrowser, newPage, signIn } from './support/browser.ts';
import { buildWebApp, startE2eServer, type E2eServer } from './support/server.ts';

/**
 * Telehealth (docs/TELEHEALTH.md), as the practice nurse demo.telehealth uses it: she finds a patient
 * at her practice who has a mobile number and is not enrolled, enrols them on the COPD protocol from
 * their record, replies from the phone simulator as the patient with a red reading, sees the alert in
 * her inbox and the record, and the patient texts STOP. At 375 px she also pauses, resumes, sets a
 * threshold and stops an enrolment; and the protocol pages' preview. Each screen is screenshotted
 * into test-artifacts/ and checked with axe-core (WCAG 2.2 AA).
 *
 * The wide journey ticks "Send the first question now": the welcome text arrives at once and the
 * question with the next run of the every-minute prompt job (up to about a minute and a half here).
 */
let server: E2eServer;
let browser: Browser;
let closeBrowser: () => Promise<void>;

const NARROW = { width: 375, height: 812 };
const NURSE = 'demo.telehealth';
const RED_REPLY = 'Your oxygen level or pulse is worrying: your care team has been alerted and will call you today.';

beforeAll(async () => {
  buildWebApp();
  [server, { browser, close: closeBrowser }] = await Promise.all([startE2eServer(150), launchBrowser()]);
});

afterAll(async () => {
  await closeBrowser?.();
  await server?.stop();
});

const check = (page: Page, name: string): Promise<void> => expectScreenOk(page, `telehealth-enrolment-${name}`);

/** A call to the API as the signed-in user (the token oidc-client-ts keeps in the tab's session storage). */
async function apiGet<T>(page: Page, path: string): Promise<T> {
  return page.evaluate<T, string>(async (url) => {
    const key = Object.keys(sessionStorage).find((k) => k.startsWith('oidc.user:'))!;
    const token = (JSON.parse(sessionStorage.getItem(key)!) as { access_token: string }).access_token;
    const response = await fetch(url, { headers: { authorization: `Bearer ${token}`, accept: 'application/json' } });
    return (await response.json()) as T;
  }, path);
}

interface Candidate {
  id: string;
  mobile: string;
}

/**
 * Patients at the nurse's practice (from her token's role) with a mobile number in their record and
 * no telehealth enrolment, skipping numbers another patient shares (a reply is matched by number).
 */
async function candidates(page: Page): Promise<Candidate[]> {
  const organisation = await page.evaluate(() => {
    const key = Object.keys(sessionStorage).find((k) => k.startsWith('oidc.user:'))!;
    const token = (JSON.parse(sessionStorage.getItem(key)!) as { access_token: string }).access_token;
    const claims = JSON.parse(atob(token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/'))) as {
      role_profile?: { organization?: string };
    };
    return claims.role_profile?.organization;
  });
  const bundle = await apiGet<{ entry?: { resource: Patient }[] }>(page, '/fhir/R4/Patient?_count=200');
  const patients = (bundle.entry ?? []).map((e) => e.resource);
  const mobileOf = (p: Patient) => p.telecom?.find((t) => t.system === 'phone' && t.use === 'mobile')?.value;
  const numbers = patients.map(mobileOf);
  const found: Candidate[] = [];
  for (const patient of patients) {
    const mobile = mobileOf(patient);
    const practice = patient.generalPractitioner?.[0]?.reference;
    if (
      !mobile ||
      numbers.filter((n) => n === mobile).length > 1 ||
      practice?.split('/').pop() !== organisation?.split('/').pop()
    ) {
      continue;
    }
    const { enrolments } = await apiGet<{ enrolments: unknown[] }>(
      page,
      `/api/telehealth/enrolments?patient=Patient/${patient.id!}`,
    );
    if (enrolments.length === 0) {
      found.push({ id: patient.id!, mobile });
    }
  }
  return found;
}

/** From the patient's record to an active COPD enrolment, through the error summary. */
async function enrolOnCopd(page: Page, patient: Candidate, name: string, firstNow = false): Promise<string> {
  await page.goto(`${server.baseUrl}/patients/${patient.id}`);
  await page.getByRole('link', { name: 'Enrol on telehealth' }).click();
  await page.getByRole('heading', { name: 'Enrol a patient', level: 1 }).waitFor();
  await page.getByText(patient.mobile).waitFor();
  await check(page, `${name}-enrol`);

  await page.getByRole('button', { name: 'Enrol patient' }).click();
  const summary = page.getByRole('alert').filter({ hasText: 'There is a problem' });
  await summary.getByRole('link', { name: 'Choose the protocol to enrol the patient on' }).waitFor();
  await summary.getByRole('link', { name: /Confirm the patient agrees/ }).waitFor();
  await check(page, `${name}-enrol-errors`);

  await page.getByLabel('COPD daily check').check();
  await page.getByLabel('The patient agrees to receive and send text messages about their health').check();
  if (firstNow) {
    await page.getByLabel('Send the first question now').check();
  }
  await page.getByRole('button', { name: 'Enrol patient' }).click();
  await page.getByText('Enrolled on COPD daily check').waitFor();
  await page.locator('.nhsuk-tag', { hasText: 'Active' }).waitFor();
  if (!firstNow) {
    // The first question goes at the protocol's time, 10:00 UK time.
    expect(await page.locator('.nhsuk-summary-list__row', { hasText: 'Next text' }).textContent()).toMatch(
      /at 10:00 \(UK time\)/,
    );
  }
  await check(page, `${name}-enrolled`);
  const manage = await page.getByRole('link', { name: 'Manage this enrolment' }).getAttribute('href');
  return manage!.split('/').pop()!;
}

/** Replies from the phone simulator as the patient; returns once CareWeave has received it. */
async function replyFromPhone(page: Page, mobile: string, text: string, outcome: string): Promise<void> {
  await page.getByLabel('Text message').fill(text);
  await page.getByRole('button', { name: 'Send from this phone' }).click();
  await page.getByText(outcome).waitFor();
  await page.locator('.cw-sms__message').filter({ hasText: text }).first().waitFor();
  expect(await page.getByRole('heading', { name: `Messages for ${mobile}` }).count()).toBe(1);
}

describe('telehealth enrolment', () => {
  it('the nurse enrols a patient on COPD; a red reply alerts her inbox and the record; STOP (1280 px)', async () => {
    const { page } = await newPage(browser);
    await signIn(page, server.baseUrl, NURSE, { returnTo: '/find' });
    const [patient] = await candidates(page);
    expect(patient, 'a patient at the practice with a mobile and no enrolment').toBeDefined();
    const carePlanId = await enrolOnCopd(page, patient!, 'wide', true);

    // The phone gets the welcome at once, then the first question from the prompt job.
    await page.goto(`${server.baseUrl}/phone`);
    await page.getByLabel('Mobile phone number').fill(patient!.mobile);
    const show = page.getByRole('button', { name: 'Show this phone’s messages' });
    await show.click();
    await page.locator('.cw-sms__message').filter({ hasText: 'your care team has set up COPD daily check' }).waitFor();
    const question = page.locator('.cw-sms__message').filter({ hasText: 'oxygen level and pulse' });
    await expect
      .poll(
        async () => {
          await show.click();
          return question.count();
        },
        { timeout: 150_000, interval: 5_000 },
      )
      .toBeGreaterThan(0);
    await check(page, 'wide-phone-prompt');
    await replyFromPhone(page, patient!.mobile, 'SpO2 86% pulse 88', 'CareWeave received the reply.');
    await show.click();
    await page.locator('.cw-sms__message').filter({ hasText: RED_REPLY }).first().waitFor();
    await check(page, 'wide-phone-red');

    // The red reply the patient was sent, as the record keeps it (the Communication of the text).
    await expect
      .poll(
        async () =>
          JSON.stringify(await apiGet(page, `/fhir/R4/Communication?based-on=CarePlan/${carePlanId}&_count=20`)),
        { timeout: 30_000 },
      )
      .toContain(RED_REPLY);

    await page.goto(`${server.baseUrl}/inbox`);
    const alert = page.locator('.cw-notification').filter({ hasText: 'Telehealth red alert' });
    await alert.first().waitFor({ timeout: 60_000 });
    expect(await alert.first().textContent()).toContain('Oxygen below 88%');
    await check(page, 'wide-inbox-alert');

    await page.goto(`${server.baseUrl}/patients/${patient!.id}`);
    await page
      .getByRole('region', { name: 'Alerts' })
      .getByText(/Telehealth red: Oxygen below 88%/)
      .first()
      .waitFor();
    await check(page, 'wide-record-alert');

    await page.goto(`${server.baseUrl}/phone`);
    await page.getByLabel('Mobile phone number').fill(patient!.mobile);
    await page.getByRole('button', { name: 'Show this phone’s messages' }).click();
    await replyFromPhone(page, patient!.mobile, 'STOP', 'CareWeave will not text this number until it sends START.');
    await check(page, 'wide-phone-stop');
    await page.context().close();
  });

  it('the nurse enrols, pauses, resumes, sets a threshold and stops an enrolment (375 px)', async () => {
    const { page } = await newPage(browser, NARROW);
    await signIn(page, server.baseUrl, NURSE, { returnTo: '/find' });
    const [patient] = await candidates(page);
    expect(patient).toBeDefined();
    const carePlanId = await enrolOnCopd(page, patient!, 'narrow');

    await page.getByRole('link', { name: 'Manage this enrolment' }).click();
    await page.getByRole('heading', { name: 'Manage an enrolment', level: 1 }).waitFor();
    expect(page.url()).toContain(`/telehealth/enrolments/${carePlanId}`);
    await page.locator('.nhsuk-tag', { hasText: 'Active' }).waitFor();
    await page.getByRole('button', { name: 'Pause texts' }).waitFor();
    await check(page, 'narrow-manage');

    await page.getByRole('button', { name: 'Pause texts' }).click();
    await page.getByText('Texts are paused').waitFor();
    await page.locator('.nhsuk-tag', { hasText: 'Paused' }).waitFor();
    await page.getByRole('button', { name: 'Resume texts' }).click();
    await page.getByText('Texts will start again at the next time').waitFor();
    await page.locator('.nhsuk-tag', { hasText: 'Active' }).waitFor();

    // A red threshold above the amber one would leave amber unreachable: refused with the error summary.
    await page.getByLabel('Red if below').first().fill('95');
    await page.getByRole('button', { name: 'Save thresholds' }).click();
    const summary = page.getByRole('alert').filter({ hasText: 'There is a problem' });
    await summary.getByRole('link', { name: /must be lower than the amber one/ }).waitFor();
    await check(page, 'narrow-threshold-error');
    await page.getByLabel('Red if below').first().fill('85');
    await page.getByRole('button', { name: 'Save thresholds' }).click();
    await page.getByText('The patient’s thresholds are saved').waitFor();
    expect(await page.getByLabel('Red if below').first().inputValue()).toBe('85');

    await page.getByRole('button', { name: 'Stop texts' }).click();
    await page.getByRole('heading', { name: 'Are you sure you want to stop the texts?' }).waitFor();
    await page.getByLabel('Stop it early').check();
    await check(page, 'narrow-stop-confirm');
    await page.getByRole('button', { name: 'Stop texts' }).click();
    await page.getByText('Texts are stopped').waitFor();
    await page.locator('.nhsuk-tag', { hasText: 'Stopped' }).waitFor();
    await page.getByRole('link', { name: 'enrol the patient again' }).waitFor();
    await check(page, 'narrow-stopped');
    await page.context().close();
  });

  for (const [width, viewport] of [
    ['wide', undefined],
    ['narrow', NARROW],
  ] as const) {
    it(`the protocol pages and their preview (${width})`, async () => {
      const { page } = await newPage(browser, viewport);
      await signIn(page, server.baseUrl, NURSE, { returnTo: '/telehealth/protocols' });
      await page.getByRole('heading', { name: 'Protocols', level: 1 }).waitFor();
      await check(page, `${width}-protocols`);

      await page.getByRole('link', { name: 'COPD daily check' }).click();
      await page.getByRole('heading', { name: /COPD daily check/, level: 1 }).waitFor();
      await page.getByText('NICE NG115 COPD in over 16s').first().waitFor();
      await page.getByRole('table').getByText('Oxygen below 88%').waitFor();
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('button', { name: 'Download as JSON' }).click(),
      ]);
      expect(download.suggestedFilename()).toBe('telehealth-copd-v1.json');

      await page.getByRole('button', { name: 'Preview', exact: true }).click();
      const summary = page.getByRole('alert').filter({ hasText: 'There is a problem' });
      await summary.getByRole('link', { name: 'Enter a reply to preview' }).waitFor();

      await page.getByLabel('The patient’s reply').fill('SpO2 86% pulse 88');
      await page.getByRole('button', { name: 'Preview', exact: true }).click();
      const result = page.locator('.nhsuk-card').filter({ hasText: 'What would happen' });
      await result.getByText(RED_REPLY).waitFor();
      const text = (await result.textContent()) ?? '';
      expect(text).toContain('59408-5');
      expect(text).toContain('86 %');
      expect(text).toContain('Oxygen below 88%');
      expect(text).toMatch(/Team alerted\s*Yes/);
      await check(page, `${width}-preview-red`);

      await page.getByLabel(/Are you more breathless than usual/).check();
      await page.getByLabel('The patient’s reply').fill('nope');
      await page.getByRole('button', { name: 'Preview', exact: true }).click();
      await result.getByText('Keep using your inhalers as usual').waitFor();
      await page.context().close();
    });
  }
});
