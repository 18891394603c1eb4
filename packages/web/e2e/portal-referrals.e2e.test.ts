import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectScreenOk, launchBrowser, newPage, signIn } from './support/browser.ts';
import { buildWebApp, startE2eServer, type E2eServer } from './support/server.ts';

/**
 * The patient's referral appointments in the portal (docs/REFERRALS.md, "Pathway booking" and
 * "Patient portal"): demo.patient sees the knee pain pathway the demo booked (three appointments with
 * their service, place, time and status), changes the first appointment to another free time (the later
 * ones move with it, in one transaction), cancels the follow-up (shown as cancelled), and reads the
 * plain-English letter of a referral the hospital turned down (made here by demo.gp and demo.triager).
 * The attack: another patient's appointment is not found, on the page and through the API. Each screen
 * is screenshotted at 1280 and 375 px and checked with axe-core (WCAG 2.2 AA).
 */
let server: E2eServer;
let browser: Browser;
let closeBrowser: () => Promise<void>;

const NARROW = { width: 375, height: 812 };
const DESKTOP = { width: 1280, height: 900 };

beforeAll(async () => {
  buildWebApp();
  [server, { browser, close: closeBrowser }] = await Promise.all([startE2eServer(40), launchBrowser()]);
});

afterAll(async () => {
  await closeBrowser?.();
  await server?.stop();
});

/** Both widths: screenshot, axe, no console errors, nothing wider than the screen. */
async function check(page: Page, name: string): Promise<void> {
  await page.setViewportSize(DESKTOP);
  await expectScreenOk(page, `portal-referrals-${name}`);
  await page.setViewportSize(NARROW);
  await expectScreenOk(page, `portal-referrals-${name}-375`);
  await page.setViewportSize(DESKTOP);
}

/** A call to the server as the signed-in user (the token oidc-client-ts keeps in the tab's session storage). */
async function call<T>(page: Page, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  return page.evaluate<{ status: number; body: T }, { method: string; path: string; body?: unknown }>(
    async (request) => {
      const key = Object.keys(sessionStorage).find((k) => k.startsWith('oidc.user:'))!;
      const token = (JSON.parse(sessionStorage.getItem(key)!) as { access_token: string }).access_token;
      const response = await fetch(request.path, {
        method: request.method,
        headers: {
          authorization: `Bearer ${token}`,
          accept: 'application/json',
          ...(request.body ? { 'content-type': 'application/json' } : {}),
        },
        ...(request.body ? { body: JSON.stringify(request.body) } : {}),
      });
      return { status: response.status, body: (await response.json()) as T };
    },
    { method, path, ...(body ? { body } : {}) },
  );
}

interface Option {
  serviceId: string;
  triage: boolean;
  provider: { id: string };
}

/** demo.gp refers the demo patient for triage and demo.triager rejects it: the patient gets a letter. */
async function rejectedReferral(patientId: string): Promise<void> {
  const { page: gp } = await newPage(browser);
  await signIn(gp, server.baseUrl, 'demo.gp', { role: /Ormskirk Medical Practice/ });
  const reason = 'Clicking in the left hip for a year, no pain, full movement; patient would like a view';
  const form = await call<{ id: string }>(gp, 'POST', '/fhir/R4/QuestionnaireResponse', {
    resourceType: 'QuestionnaireResponse',
    status: 'completed',
    questionnaire: 'https://careweave.example/fhir/Questionnaire/referral-form-msk|1.0.0',
    subject: { reference: `Patient/${patientId}` },
    authored: new Date().toISOString(),
    item: [
      { linkId: 'reason', answer: [{ valueString: reason }] },
      { linkId: 'duration', answer: [{ valueCoding: { code: 'over-a-year' } }] },
      { linkId: 'tried-physiotherapy', answer: [{ valueBoolean: false }] },
    ],
  });
  expect(form.status, JSON.stringify(form.body)).toBe(201);
  const draft = await call<{ serviceRequest: string }>(gp, 'POST', '/api/referrals/referrals', {
    patientId,
    specialty: 'trauma-orthopaedics',
    priority: 'routine',
    reason,
    form: form.body.id,
  });
  expect(draft.status, JSON.stringify(draft.body)).toBe(201);
  const id = draft.body.serviceRequest.split('/')[1]!;
  const shortlist = await call<{ options: Option[] }>(gp, 'POST', `/api/referrals/referrals/${id}/shortlist`);
  const triage =
    shortlist.body.options.find((o) => o.triage && o.provider.id === 'org-rvy') ??
    shortlist.body.options.find((o) => o.triage);
  expect(triage, JSON.stringify(shortlist.body)).toBeDefined();
  const sent = await call<{ task: string }>(gp, 'POST', `/api/referrals/referrals/${id}/send`, {
    serviceId: triage!.serviceId,
    action: 'triage',
  });
  expect(sent.status, JSON.stringify(sent.body)).toBe(200);
  await gp.context().close();

  const { page: triager } = await newPage(browser);
  await signIn(triager, server.baseUrl, 'demo.triager');
  const decided = await call(triager, 'POST', `/api/referrals/tasks/${sent.body.task.split('/')[1]}/triage`, {
    decision: 'reject',
    reason: 'criteria-not-met',
    note: 'A painless click with full movement does not need a hospital appointment.',
  });
  expect(decided.status, JSON.stringify(decided.body)).toBe(200);
  await triager.context().close();
}

/** Another patient's booked appointment, found as demo.gp. */
async function someoneElsesAppointment(patientId: string): Promise<string> {
  const { page: gp } = await newPage(browser);
  await signIn(gp, server.baseUrl, 'demo.gp', { role: /Ormskirk Medical Practice/ });
  const found = await call<{
    entry?: { resource: { id: string; participant: { actor?: { reference?: string } }[] } }[];
  }>(gp, 'GET', '/fhir/R4/Appointment?status=booked&_count=100');
  await gp.context().close();
  const other = found.body.entry?.find(
    (e) =>
      !e.resource.participant.some((p) => p.actor?.reference === `Patient/${patientId}`) &&
      e.resource.participant.some((p) => p.actor?.reference?.startsWith('Patient/')),
  );
  expect(other, 'another patient has a booked appointment').toBeDefined();
  return other!.resource.id;
}

describe('referral appointments in the patient portal', () => {
  it('sees the booked pathway, changes and cancels appointments, reads the letter; not another’s', async () => {
    const patientId = server.demoPatientId;
    await rejectedReferral(patientId);
    const othersId = await someoneElsesAppointment(patientId);

    const { page } = await newPage(browser);
    await signIn(page, server.baseUrl, 'demo.patient', { returnTo: '/my/referrals' });
    await page.getByRole('link', { name: 'Referrals', exact: true }).first().waitFor();
    await page.getByRole('heading', { level: 1, name: 'Referrals and hospital appointments' }).waitFor();
    const cards = page.locator('.cw-appointment');
    await expect.poll(() => cards.count()).toBeGreaterThanOrEqual(3);
    const pathway = cards.filter({ hasText: 'Knee pain: assessment, imaging and follow-up' });
    expect(await pathway.count()).toBe(3);
    await expect.poll(() => pathway.first().textContent()).toMatch(/Service.*Where.*Skelmersdale.*Status.*Booked/s);
    const letter = page.locator('.cw-referral-letter');
    await letter.first().waitFor();
    expect(await letter.first().textContent()).toMatch(/Booking reference/);
    await check(page, 'list');

    // Change the first appointment: the later ones of the pathway move with it.
    const first = pathway.filter({ hasText: 'First appointment' });
    await first.getByRole('link', { name: /Change appointment/ }).click();
    await page.getByRole('heading', { level: 1, name: 'Change your appointment' }).waitFor();
    await page.getByText('your later appointments on the pathway move too').waitFor();
    await page.getByRole('button', { name: 'Change appointment' }).click();
    await page.getByRole('link', { name: 'Choose a new time' }).waitFor();
    await check(page, 'change-error');
    await page.locator('input[name=slot]').first().check();
    await check(page, 'change');
    await page.getByRole('button', { name: 'Change appointment' }).click();
    await page.getByText('Your appointment has been changed to').waitFor({ timeout: 20_000 });
    await expect.poll(() => pathway.count()).toBe(3);
    const moved = page.locator('tr').filter({ hasText: 'Cancelled' });
    await expect.poll(() => moved.count()).toBeGreaterThanOrEqual(1);

    // Cancel the follow-up.
    const followUp = pathway.filter({ hasText: 'Follow-up appointment' });
    await followUp.getByRole('button', { name: /Cancel appointment/ }).click();
    await page.getByRole('button', { name: 'Yes, cancel it' }).click();
    await page.getByText('has been cancelled').waitFor();
    await expect.poll(() => pathway.count()).toBe(2);
    await check(page, 'after-changes');

    // The attack: another patient's appointment is not found, on the page and through the API.
    await page.goto(`${server.baseUrl}/my/referrals/${othersId}/change`);
    await page.getByRole('heading', { level: 1, name: 'Appointment not found' }).waitFor();
    await check(page, 'not-found');
    expect((await call(page, 'GET', `/fhir/R4/Appointment/${othersId}`)).status).toBe(404);
    const move = await call<{ resourceType: string }>(page, 'POST', `/fhir/R4/Appointment/${othersId}/$reschedule`, {
      resourceType: 'Parameters',
      parameter: [{ name: 'slot', valueReference: { reference: 'Slot/none' } }],
    });
    expect(move.status).toBe(404);
    expect(move.body.resourceType).toBe('OperationOutcome');
    const cancel = await call(page, 'POST', `/fhir/R4/Appointment/${othersId}/$cancel-referral-appointment`, {
      resourceType: 'Parameters',
    });
    expect(cancel.status).toBe(404);
    await page.context().close();
  });
});
