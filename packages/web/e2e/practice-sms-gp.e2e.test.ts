import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectScreenOk, launchBrowser, newPage, signIn } from './support/browser.ts';
import { buildWebApp, startE2eServer, type E2eServer } from './support/server.ts';

/**
 * Texts about results (docs/PRACTICE-SMS.md), as demo.gp at Ormskirk Medical Practice: from a
 * patient's record she opens "Texts about results", records the patient's agreement to clinical
 * content by text, marks a result normal after checking the exact words, and the patient's phone
 * (the /phone simulator) shows that text. A second time she is told it was already sent; the
 * practice administrator may record the agreement but is offered no results action. Each screen is
 * screenshotted into test-artifacts/ and checked with axe-core (WCAG 2.2 AA).
 */
let server: E2eServer;
let browser: Browser;
let closeBrowser: () => Promise<void>;

const GP = { role: /Ormskirk Medical Practice/ };

beforeAll(async () => {
  buildWebApp();
  [server, { browser, close: closeBrowser }] = await Promise.all([startE2eServer(150), launchBrowser()]);
});

afterAll(async () => {
  await closeBrowser?.();
  await server?.stop();
});

const check = (page: Page, name: string): Promise<void> => expectScreenOk(page, `practice-sms-gp-${name}`);

/** A call to the API as the signed-in user (the token oidc-client-ts keeps in the tab's session storage). */
async function call<T>(page: Page, path: string, body?: unknown): Promise<T> {
  return page.evaluate<T, { url: string; body: unknown }>(
    async ({ url, body }) => {
      const key = Object.keys(sessionStorage).find((k) => k.startsWith('oidc.user:'))!;
      const token = (JSON.parse(sessionStorage.getItem(key)!) as { access_token: string }).access_token;
      const response = await fetch(url, {
        method: body === undefined ? 'GET' : 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/fhir+json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return (await response.json()) as T;
    },
    { url: path, body },
  );
}

interface Bundle<T> {
  entry?: { resource: T }[];
}

describe('texts about results', () => {
  let patientId: string;
  let phone: string;

  it('the GP records the agreement, checks the words, texts “normal”; the phone shows it', async () => {
    const { page } = await newPage(browser);
    await signIn(page, server.baseUrl, 'demo.gp', { ...GP, returnTo: '/practice-sms/reminders' });
    await page.getByRole('heading', { level: 1, name: /Appointment reminders/ }).waitFor();
    // A patient of the practice with a mobile: one the demo reminded.
    const { reminders } = await call<{ reminders: { appointmentId: string; phone: string }[] }>(
      page,
      '/api/practice-sms/reminders',
    );
    expect(reminders.length, 'the demo has reminders').toBeGreaterThan(0);
    phone = reminders[0]!.phone;
    const appointment = await call<{ participant: { actor?: { reference?: string } }[] }>(
      page,
      `/fhir/R4/Appointment/${reminders[0]!.appointmentId}`,
    );
    patientId = appointment.participant
      .map((p) => p.actor?.reference ?? '')
      .find((r) => r.startsWith('Patient/'))!
      .slice('Patient/'.length);
    // A laboratory result to text about (the small demo population may have none for this patient).
    const labs = await call<Bundle<{ id: string }>>(
      page,
      `/fhir/R4/Observation?subject=Patient/${patientId}&category=laboratory&_count=1`,
    );
    if (!labs.entry?.length) {
      await call(page, '/fhir/R4/Observation', {
        resourceType: 'Observation',
        status: 'final',
        category: [
          {
            coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }],
          },
        ],
        code: { coding: [{ system: 'http://loinc.org', code: '718-7', display: 'Haemoglobin' }], text: 'Haemoglobin' },
        subject: { reference: `Patient/${patientId}` },
        effectiveDateTime: new Date().toISOString(),
        valueQuantity: { value: 140, unit: 'g/L', system: 'http://unitsofmeasure.org', code: 'g/L' },
      });
    }

    // From the record, the one link.
    await page.goto(`${server.baseUrl}/patients/${patientId}`);
    await page.getByRole('link', { name: 'Texts about results' }).click();
    await page.getByRole('heading', { level: 1, name: /Texts about results/ }).waitFor();
    await page.getByRole('heading', { name: 'Recent results' }).waitFor();
    await page
      .getByRole('button', { name: /Text the patient: result normal/ })
      .first()
      .waitFor();
    await check(page, 'page');

    // Before the patient agrees, the words are neutral (the server decides; the page shows them).
    await page
      .getByTestId('agreement-state')
      .filter({ hasText: /^(Not recorded|Withdrawn)/ })
      .waitFor();
    await page
      .getByRole('button', { name: /Text the patient: result normal/ })
      .first()
      .click();
    const neutral = page.getByRole('region', { name: /Check the text before it is sent/ });
    expect(await neutral.getByTestId('results-text').textContent()).not.toMatch(/normal/);
    await neutral.getByText('has not agreed to clinical content').waitFor();
    await check(page, 'confirm-neutral');
    await neutral.getByRole('button', { name: 'Cancel' }).click();
    await neutral.waitFor({ state: 'detached' });

    // The agreement: refused without a choice, then recorded with its time.
    await page.getByRole('button', { name: 'Save the patient’s choice' }).click();
    await page
      .getByRole('alert')
      .filter({ hasText: 'There is a problem' })
      .getByRole('link', { name: /Choose whether the patient agrees/ })
      .waitFor();
    await check(page, 'agreement-error');
    await page.getByLabel(/Yes, the patient agrees/).check();
    await page.getByRole('button', { name: 'Save the patient’s choice' }).click();
    await page.getByText('The patient’s choice is saved').waitFor();
    await page
      .getByTestId('agreement-state')
      .filter({ hasText: /^Agreed/ })
      .waitFor();
    const patient = await call<{ extension?: { url: string; valueBoolean?: boolean }[]; telecom?: unknown[] }>(
      page,
      `/fhir/R4/Patient/${patientId}`,
    );
    expect(patient.extension).toContainEqual({
      url: 'https://careweave.example/fhir/StructureDefinition/sms-clinical-content-agreed',
      valueBoolean: true,
    });
    expect(patient.telecom?.length, 'the rest of the Patient is kept').toBeGreaterThan(0);
    await check(page, 'agreement-saved');

    // The result: the exact words first, then sent.
    await page
      .getByRole('button', { name: /Text the patient: result normal/ })
      .first()
      .click();
    const confirm = page.getByRole('region', { name: /Check the text before it is sent/ });
    await confirm.waitFor();
    const words = (await confirm.getByTestId('results-text').textContent())!.trim();
    expect(words).toMatch(/results are normal/);
    await check(page, 'confirm');
    await confirm.getByRole('button', { name: 'Send this text' }).click();
    await page.getByText('Text sent').waitFor();
    await page.getByText(`“${words}”`).waitFor();
    await check(page, 'sent');

    // A second time: already sent, nothing to send.
    await page
      .getByRole('button', { name: /Text the patient: result normal/ })
      .first()
      .click();
    await page.getByText('A text has already been sent for this result.').waitFor();
    expect(await page.getByRole('button', { name: 'Send this text' }).count()).toBe(0);

    // The patient's phone.
    await page.goto(`${server.baseUrl}/phone`);
    await page.getByLabel('Mobile phone number').fill(phone);
    await page.getByRole('button', { name: 'Show this phone’s messages' }).click();
    await page.locator('.cw-sms__message').filter({ hasText: words }).first().waitFor();
    await check(page, 'phone');
    await page.context().close();
  });

  it('the practice administrator sees the agreement but no results action', async () => {
    const { page } = await newPage(browser, { width: 375, height: 812 });
    await signIn(page, server.baseUrl, 'demo.practiceadmin', {
      returnTo: `/practice-sms/results?patient=${patientId}`,
    });
    await page.getByRole('heading', { level: 1, name: /Texts about results/ }).waitFor();
    await page
      .getByTestId('agreement-state')
      .filter({ hasText: /^Agreed/ })
      .waitFor();
    await page.getByText('Only GPs can text a patient that a result is normal.').waitFor();
    expect(await page.getByRole('button', { name: /Text the patient: result normal/ }).count()).toBe(0);
    await check(page, 'clerical');
    await page.context().close();
  });
});
