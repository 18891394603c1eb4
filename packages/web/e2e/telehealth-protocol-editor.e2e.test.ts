import type { Patient } from '@medplum/fhirtypes';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectScreenOk, launchBrowser, newPage, signIn } from './support/browser.ts';
import { buildWebApp, startE2eServer, type E2eServer } from './support/server.ts';

/**
 * The protocol editor (docs/TELEHEALTH.md, "Editing a protocol (web)") as the practice nurse
 * demo.telehealth (R8001) uses it at 375 px: with one of her patients enrolled on COPD version 1 (through
 * the FHIR API), she changes the green reply and an amber threshold, is stopped by the error summary for
 * a threshold that is not a number, checks her changes, publishes version 2 and sees the review task
 * raised; the protocol list then shows version 2. At 1280 px the edit page's preview runs on the
 * published version, and a receptionist (demo.reception, R8010) cannot edit. Each screen is
 * screenshotted into test-artifacts/ and checked with axe-core (WCAG 2.2 AA).
 */
let server: E2eServer;
let browser: Browser;
let closeBrowser: () => Promise<void>;

const NARROW = { width: 375, height: 812 };
const NURSE = 'demo.telehealth';
const RECEPTION = 'demo.reception';
const GREEN_REPLY = 'Thank you, your reading is recorded. Keep using your inhalers and stay active.';

beforeAll(async () => {
  buildWebApp();
  [server, { browser, close: closeBrowser }] = await Promise.all([startE2eServer(40), launchBrowser()]);
});

afterAll(async () => {
  await closeBrowser?.();
  await server?.stop();
});

const check = (page: Page, name: string): Promise<void> => expectScreenOk(page, `telehealth-protocol-editor-${name}`);

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

/**
 * Enrols one patient of the nurse's practice (with a mobile, not yet enrolled) on COPD version 1, as her,
 * through the FHIR API; waits until the enrolment is active.
 */
async function enrolOneOnCopd(page: Page): Promise<void> {
  const { author, organisation } = await page.evaluate(() => {
    const key = Object.keys(sessionStorage).find((k) => k.startsWith('oidc.user:'))!;
    const user = JSON.parse(sessionStorage.getItem(key)!) as { access_token: string; profile?: { fhirUser?: string } };
    const token = JSON.parse(atob(user.access_token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/'))) as {
      fhirUser?: string;
      role_profile?: { organization?: string };
    };
    return {
      author: /Practitioner\/[^/]+$/.exec(token.fhirUser ?? user.profile?.fhirUser ?? '')?.[0] ?? '',
      organisation: (token.role_profile?.organization ?? '').split('/').pop()!,
    };
  });
  const bundle = await apiCall<{ entry?: { resource: Patient }[] }>(page, 'GET', '/fhir/R4/Patient?_count=200');
  const patient = (bundle.entry ?? [])
    .map((e) => e.resource)
    .find(
      (p) =>
        p.telecom?.some((t) => t.system === 'phone' && t.use === 'mobile') &&
        p.generalPractitioner?.[0]?.reference?.split('/').pop() === organisation,
    );
  expect(patient, 'a patient at the practice with a mobile').toBeDefined();
  const started = new Date(Date.now() - 86_400_000).toISOString();
  await apiCall(page, 'POST', '/fhir/R4/CarePlan', {
    resourceType: 'CarePlan',
    status: 'active',
    intent: 'plan',
    instantiatesCanonical: ['https://careweave.example/fhir/PlanDefinition/telehealth-copd|1'],
    subject: { reference: `Patient/${patient!.id!}` },
    author: { reference: author },
    period: { start: started },
    extension: [
      { url: 'https://careweave.example/fhir/StructureDefinition/telehealth-agreement', valueDateTime: started },
    ],
  });
  const path = `/api/telehealth/enrolments?patient=Patient/${patient!.id!}`;
  await expect
    .poll(async () => (await apiCall<{ enrolments: { status: string }[] }>(page, 'GET', path)).enrolments[0]?.status, {
      timeout: 30_000,
      interval: 1000,
    })
    .toBe('active');
}

describe('telehealth protocol editor', () => {
  it('the nurse changes COPD, checks her changes and publishes version 2 (375 px)', async () => {
    const { page } = await newPage(browser, NARROW);
    await signIn(page, server.baseUrl, NURSE, { returnTo: '/telehealth/protocols/copd' });
    await enrolOneOnCopd(page);

    await page.getByRole('heading', { name: /COPD daily check/, level: 1 }).waitFor();
    await page.getByRole('link', { name: 'Change this protocol' }).click();
    await page.getByRole('heading', { name: 'Change COPD daily check', level: 1 }).waitFor();
    expect(await page.getByLabel('Reply to a green reading').inputValue()).toContain('Thank you');
    expect(await page.getByLabel('Times to send the first question (UK time)').inputValue()).toBe('10:00');
    await page.getByText('The preview below uses the published version 1').waitFor();
    await page.getByLabel('The patient’s reply').fill('sats 93 pulse 70');
    await page.getByRole('button', { name: 'Preview', exact: true }).click();
    const result = page.locator('.nhsuk-card').filter({ hasText: 'What would happen' });
    await result.getByText('Keep using your inhalers as usual').waitFor();
    await check(page, 'narrow-form');

    // Rule 3 is amber if oxygen is below 92%.
    const amberOxygen = page.getByRole('group', { name: /Rule 3: Oxygen saturation/ }).getByLabel(/Threshold/);
    expect(await amberOxygen.inputValue()).toBe('92');
    await page.getByLabel('Reply to a green reading').fill(GREEN_REPLY);
    await amberOxygen.fill('ninety-one');
    await page.getByRole('button', { name: 'Continue' }).click();
    const summary = page.getByRole('alert').filter({ hasText: 'There is a problem' });
    const problem = summary.getByRole('link', { name: /threshold of rule 3 .* must be a number/ });
    await problem.waitFor();
    await expect.poll(() => page.evaluate(() => document.activeElement?.className ?? '')).toContain('error-summary');
    await check(page, 'narrow-form-error');
    await problem.click();
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('rule-2-value');

    await amberOxygen.fill('91');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { name: 'Check your changes', level: 1 }).waitFor();
    const rows = page.locator('.nhsuk-summary-list__row');
    expect(await rows.count()).toBe(2);
    await rows.filter({ hasText: 'Rule 3' }).getByText('below 91%').waitFor();
    await rows.filter({ hasText: 'Reply to a green reading' }).getByText(GREEN_REPLY).waitFor();
    await page
      .getByText(
        'Patients already on version 1 stay on it; the clinician who enrolled each one will be asked to review the change.',
      )
      .waitFor();
    await check(page, 'narrow-check');

    await page.getByRole('button', { name: 'Publish version 2' }).click();
    await page.getByRole('heading', { name: 'Version 2 published', level: 1 }).waitFor();
    await page.getByText(`Reply to a green reading: "${GREEN_REPLY}"`).waitFor();
    await page.getByText('New rule: amber: spo2 below 91').waitFor();
    await page.getByText(/^1 review task was raised/).waitFor();
    await check(page, 'narrow-published');

    await page.getByRole('link', { name: 'All protocols' }).click();
    await page.getByRole('heading', { name: 'Protocols', level: 1 }).waitFor();
    const copd = page.getByRole('row').filter({ hasText: 'COPD daily check' });
    await expect.poll(async () => (await copd.textContent()) ?? '').toMatch(/2\s*$/);
    expect((await apiCall<{ version: number }>(page, 'GET', '/api/telehealth/protocols/copd')).version).toBe(2);
    await check(page, 'narrow-list-v2');
    await page.context().close();
  });

  it('the edit page previews the published version; a receptionist cannot edit (1280 px)', async () => {
    const { page } = await newPage(browser);
    await signIn(page, server.baseUrl, NURSE, { returnTo: '/telehealth/protocols/copd/edit' });
    await page.getByRole('heading', { name: 'Change COPD daily check', level: 1 }).waitFor();
    await page.getByText('The preview below uses the published version 2').waitFor();
    await page.getByLabel('The patient’s reply').fill('sats 95 pulse 70');
    await page.getByRole('button', { name: 'Preview', exact: true }).click();
    // The preview is the published version 2's: its new green reply.
    await page.getByText(GREEN_REPLY).first().waitFor();
    await check(page, 'wide-form-preview');
    await page.context().close();

    const reception = (await newPage(browser)).page;
    await signIn(reception, server.baseUrl, RECEPTION, { returnTo: '/telehealth/protocols/copd' });
    await reception.getByRole('heading', { name: /COPD daily check/, level: 1 }).waitFor();
    expect(await reception.getByRole('link', { name: 'Change this protocol' }).count()).toBe(0);
    await reception.goto(`${server.baseUrl}/telehealth/protocols/copd/edit`);
    await reception.getByRole('heading', { name: 'You cannot change protocols', level: 1 }).waitFor();
    expect(await reception.getByRole('button', { name: 'Continue' }).count()).toBe(0);
    await check(reception, 'wide-reception');
    await reception.context().close();
  });
});
