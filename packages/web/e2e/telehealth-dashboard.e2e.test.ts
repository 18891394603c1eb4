import type { Patient } from '@medplum/fhirtypes';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectScreenOk, launchBrowser, newPage, signIn } from './support/browser.ts';
import { buildWebApp, startE2eServer, type E2eServer } from './support/server.ts';

/**
 * The telehealth team dashboard (docs/TELEHEALTH.md, "Team dashboard") as the practice nurse
 * demo.telehealth uses it. The small e2e demo population (40 patients) gives her practice no demo
 * enrolments, so she first enrols three of her practice's patients on COPD through the FHIR API and
 * each "texts" readings through the loopback gateway (two red, one green). Then: her patients red first; an alert opened, acknowledged
 * and closed (after an empty note is refused with an error summary, and a confirmation); the
 * patient's page with a trend chart; the summary filed in the record. Each screen is screenshotted
 * at 1280 and 375 px into test-artifacts/ and checked with axe-core (WCAG 2.2 AA).
 */
let server: E2eServer;
let browser: Browser;
let closeBrowser: () => Promise<void>;

const NARROW = { width: 375, height: 812 };
const NURSE = 'demo.telehealth';
const PRACTICE = { role: /Ormskirk Medical Practice/ };

beforeAll(async () => {
  buildWebApp();
  [server, { browser, close: closeBrowser }] = await Promise.all([startE2eServer(40), launchBrowser()]);
  const { page } = await newPage(browser);
  await signIn(page, server.baseUrl, NURSE, { ...PRACTICE, returnTo: '/telehealth' });
  await setUp(page);
  await page.context().close();
});

afterAll(async () => {
  await closeBrowser?.();
  await server?.stop();
});

interface Candidate {
  id: string;
  mobile: string;
}

/** A call to the API as the signed-in user (the token oidc-client-ts keeps in the tab's session storage). */
async function apiCall<T>(page: Page, method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  return page.evaluate<T, { method: string; path: string; body: unknown }>(
    async ({ method, path, body }) => {
      const key = Object.keys(sessionStorage).find((k) => k.startsWith('oidc.user:'))!;
      const token = (JSON.parse(sessionStorage.getItem(key)!) as { access_token: string }).access_token;
      const response = await fetch(path, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          accept: 'application/json',
          ...(body === undefined
            ? {}
            : { 'content-type': path.startsWith('/fhir/') ? 'application/fhir+json' : 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return (await response.json()) as T;
    },
    { method, path, body },
  );
}

/** Claims of the signed-in user's access token: who she is and her organisation. */
async function claims(page: Page): Promise<{ fhirUser: string; organisation: string }> {
  return page.evaluate(() => {
    const key = Object.keys(sessionStorage).find((k) => k.startsWith('oidc.user:'))!;
    const user = JSON.parse(sessionStorage.getItem(key)!) as { access_token: string; profile?: { fhirUser?: string } };
    const token = JSON.parse(atob(user.access_token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/'))) as {
      fhirUser?: string;
      role_profile?: { organization?: string };
    };
    return {
      // The claim may be an absolute URL: the record's author reference is relative.
      fhirUser: /Practitioner\/[^/]+$/.exec(token.fhirUser ?? user.profile?.fhirUser ?? '')?.[0] ?? '',
      organisation: (token.role_profile?.organization ?? '').split('/').pop()!,
    };
  });
}

/** Patients at her practice with a mobile number no other patient shares, and no enrolment. */
async function candidates(page: Page, organisation: string): Promise<Candidate[]> {
  const bundle = await apiCall<{ entry?: { resource: Patient }[] }>(page, 'GET', '/fhir/R4/Patient?_count=200');
  const patients = (bundle.entry ?? []).map((e) => e.resource);
  const mobileOf = (p: Patient) => p.telecom?.find((t) => t.system === 'phone' && t.use === 'mobile')?.value;
  const numbers = patients.map(mobileOf);
  const found: Candidate[] = [];
  for (const patient of patients) {
    const mobile = mobileOf(patient);
    const practice = patient.generalPractitioner?.[0]?.reference?.split('/').pop();
    if (!mobile || numbers.filter((n) => n === mobile).length > 1 || practice !== organisation) {
      continue;
    }
    const path = `/api/telehealth/enrolments?patient=Patient/${patient.id!}`;
    if ((await apiCall<{ enrolments: unknown[] }>(page, 'GET', path)).enrolments.length === 0) {
      found.push({ id: patient.id!, mobile });
    }
  }
  return found;
}

/** Enrols a patient on COPD as the nurse (a CarePlan through the FHIR API) and waits until it is active. */
async function enrolOnCopd(page: Page, patient: Candidate, author: string): Promise<void> {
  const started = new Date(Date.now() - 14 * 86_400_000).toISOString();
  await apiCall(page, 'POST', '/fhir/R4/CarePlan', {
    resourceType: 'CarePlan',
    status: 'active',
    intent: 'plan',
    instantiatesCanonical: ['https://careweave.example/fhir/PlanDefinition/telehealth-copd|1'],
    subject: { reference: `Patient/${patient.id}` },
    author: { reference: author },
    period: { start: started },
    extension: [
      { url: 'https://careweave.example/fhir/StructureDefinition/telehealth-agreement', valueDateTime: started },
    ],
  });
  // The enrolment is made by a reaction to the write: asked again each second, for up to 30 s.
  const path = `/api/telehealth/enrolments?patient=Patient/${patient.id}`;
  for (let tries = 0; tries < 30; tries++) {
    const { enrolments } = await apiCall<{ enrolments: { status: string }[] }>(page, 'GET', path);
    if (enrolments[0]?.status === 'active') {
      return;
    }
    await page.waitForTimeout(1000);
  }
  throw new Error(`Patient/${patient.id} was not enrolled within 30 s`);
}

/** Texts from the patient's phone through the loopback gateway (as the phone simulator does). */
async function text(page: Page, patient: Candidate, body: string): Promise<void> {
  await apiCall(page, 'POST', '/api/sms/loopback/inbound', { from: patient.mobile, body });
}

/**
 * Her patients on COPD: one whose readings turn red twice (two open red alerts: one for each test
 * to close) and, when the practice has another patient with a mobile, one who stays green.
 */
async function setUp(page: Page): Promise<void> {
  const { fhirUser, organisation } = await claims(page);
  const [red, green] = await candidates(page, organisation);
  expect(red, 'a patient at the practice with a mobile and no enrolment').toBeDefined();
  for (const patient of [red!, ...(green ? [green] : [])]) {
    await enrolOnCopd(page, patient, fhirUser);
    await text(page, patient, 'sats 95 pulse 80');
  }
  await text(page, red!, 'sats 87 pulse 90');
  await text(page, red!, 'sats 86 pulse 124');
}

const check = (page: Page, name: string): Promise<void> => expectScreenOk(page, `telehealth-dashboard-${name}`);

async function dashboard(page: Page): Promise<void> {
  await page.getByRole('heading', { name: 'Team dashboard' }).waitFor();
  await page.getByRole('table').waitFor();
}

/** The first alert card: opened, acknowledged, a note refused when empty, then closed after confirming. */
async function workOnFirstAlert(page: Page, name: (n: string) => string): Promise<string> {
  await page.getByRole('link', { name: 'Open alerts' }).click();
  await page.getByRole('heading', { name: 'Alerts' }).waitFor();
  const card = page.locator('.nhsuk-card').first();
  const patient = (await card.locator('h2 a').textContent())!.trim();
  await card.getByRole('button', { name: /Review alert/ }).click();
  await card.getByRole('button', { name: 'Acknowledge' }).click();
  await page.getByText(`Alert for ${patient} acknowledged.`).waitFor();
  await card.getByText('Acknowledged, being dealt with').waitFor();

  await card.getByRole('button', { name: 'Add a note' }).click();
  await card.getByRole('button', { name: 'Save note' }).click();
  await card.getByRole('alert').getByRole('link', { name: 'Enter a note' }).waitFor();
  await check(page, name('note-error'));
  await card.getByRole('button', { name: 'Cancel' }).click();

  await card.getByRole('button', { name: 'Close alert' }).click();
  await card.getByText('Close this alert?').waitFor();
  await card.getByLabel('Note on closing (optional)').fill('Called: using rescue pack, reviewed tomorrow');
  await check(page, name('close-confirm'));
  await card.getByRole('button', { name: 'Yes, close this alert' }).click();
  await page.getByText(`Alert for ${patient} closed.`).waitFor();
  await check(page, name('closed'));
  return patient;
}

/** From the alerts page back to the dashboard, and the patient's page from their row. */
async function openPatient(page: Page, patient: string): Promise<void> {
  await page.getByRole('link', { name: 'Back to the team dashboard' }).click();
  await dashboard(page);
  await page.getByRole('table').getByRole('link', { name: patient }).first().click();
}

/** The patient's page: a chart with its table alternative, then the summary filed. */
async function fileSummary(page: Page, name: (n: string) => string): Promise<void> {
  await page
    .getByRole('img', { name: /readings from/ })
    .first()
    .waitFor();
  expect(await page.locator('.recharts-surface').count()).toBeGreaterThan(0);
  await page
    .getByText(/Show the \d+ readings as a table/)
    .first()
    .click();
  await check(page, name('patient'));
  await page
    .getByRole('button', { name: /File summary in the record/ })
    .first()
    .click();
  await page.getByText('Summary filed in the record').waitFor();
  await page.getByText(/^Telehealth summary: /).waitFor();
  await check(page, name('summary-filed'));
}

describe('telehealth team dashboard', () => {
  it('the nurse sees her patients red first, closes an alert and files a summary (1280 px)', async () => {
    const { page } = await newPage(browser);
    await signIn(page, server.baseUrl, NURSE, { ...PRACTICE, returnTo: '/telehealth' });
    await dashboard(page);
    const firstRow = page.locator('tbody tr').first();
    expect(await firstRow.locator('.nhsuk-tag').first().textContent()).toBe('Red');
    await check(page, 'wide-dashboard');

    await page.getByLabel('Only patients I enrolled').check();
    await page.waitForURL(/mine=true/);
    await dashboard(page);

    const patient = await workOnFirstAlert(page, (n) => `wide-${n}`);
    await openPatient(page, patient);
    await page.getByRole('heading', { name: patient }).waitFor();
    await fileSummary(page, (n) => `wide-${n}`);
    await page.context().close();
  });

  it('works at 375 px: the dashboard, an alert and the patient’s page', async () => {
    const { page } = await newPage(browser, NARROW);
    await signIn(page, server.baseUrl, NURSE, { ...PRACTICE, returnTo: '/telehealth' });
    await dashboard(page);
    await check(page, 'narrow-dashboard');
    const patient = await workOnFirstAlert(page, (n) => `narrow-${n}`);
    await openPatient(page, patient);
    await page.getByRole('heading', { name: patient }).waitFor();
    await fileSummary(page, (n) => `narrow-${n}`);
    await page.context().close();
  });
});
