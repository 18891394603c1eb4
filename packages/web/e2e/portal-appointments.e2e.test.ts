import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectScreenOk, launchBrowser, newPage, signIn } from './support/browser.ts';
import { buildWebApp, startE2eServer, type E2eServer } from './support/server.ts';

/**
 * The patient's GP appointments and nominated pharmacy in the portal (issue 10, findings 8 and 9).
 * Appointments: the list as upcoming, past or
 * cancelled (kept in the address), booking with a filter by who with, phone or face to face and time of
 * day, the reason for the visit (required, checked before booking) and a check page; a cancelled
 * appointment says "Cancelled". The carer books in the "acting for" voice. The attack: another
 * patient's appointment cannot be read, cancelled or booked for. Nominated pharmacy: found by postcode or
 * name, chosen after a check, shown on the repeat prescriptions page and in the order check; the carer
 * changes it for the person they act for; another patient's cannot be changed. Each screen at 1280 and
 * 375 px, axe.
 */
let server: E2eServer;
let browser: Browser;
let closeBrowser: () => Promise<void>;

const NARROW = { width: 375, height: 812 };
const DESKTOP = { width: 1280, height: 900 };

beforeAll(async () => {
  buildWebApp();
  [server, { browser, close: closeBrowser }] = await Promise.all([startE2eServer(40), launchBrowser()]);
}, 900_000);

afterAll(async () => {
  await closeBrowser?.();
  await server?.stop();
});

async function check(page: Page, name: string): Promise<void> {
  await page.setViewportSize(DESKTOP);
  await expectScreenOk(page, `portal-appointments-${name}`);
  await page.setViewportSize(NARROW);
  await expectScreenOk(page, `portal-appointments-${name}-375`);
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

async function as(username: string, options: { role?: RegExp; returnTo?: string } = {}): Promise<Page> {
  const { page } = await newPage(browser);
  await signIn(page, server.baseUrl, username, options);
  return page;
}

interface Bundle {
  entry?: {
    resource: { id: string; status: string; start: string; participant: { actor: { reference: string } }[] };
  }[];
}

describe('the patient’s appointments', () => {
  it('books a phone appointment with a reason, sees it upcoming, cancels it and finds it under Cancelled', async () => {
    const page = await as('demo.patient', { returnTo: '/my/appointments' });
    await page.getByRole('heading', { name: 'Appointments', level: 1 }).waitFor();
    await page.getByRole('link', { name: 'Upcoming', exact: false }).first().waitFor();
    await check(page, 'list');

    await page.getByRole('link', { name: 'Book a GP appointment' }).click();
    await page.getByRole('heading', { name: 'Book a GP appointment', level: 1 }).waitFor();
    await page.getByText(/in an emergency call 999/).waitFor();
    await check(page, 'book');

    // Only phone appointments, in the morning: every time offered says so.
    await page.getByLabel('By phone', { exact: true }).check();
    await page.getByLabel('Morning', { exact: true }).check();
    const labels = await page.locator('.cw-slot-grid label').allTextContents();
    expect(labels.length).toBeGreaterThan(0);
    for (const label of labels) {
      expect(label).toMatch(/by phone/);
      expect(Number(label.slice(0, 2))).toBeLessThan(12);
    }
    await check(page, 'book-phone-morning');

    // Nothing chosen, no reason: the error summary says what to do.
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { name: 'There is a problem' }).waitFor();
    await page.getByRole('link', { name: 'Choose an appointment time' }).waitFor();
    await page.getByRole('link', { name: 'Enter what the appointment is for' }).waitFor();
    await check(page, 'book-errors');

    const first = page.locator('input[name=slot]').first();
    const label = (await page.locator(`label[for="${await first.getAttribute('id')}"]`).textContent()) ?? '';
    const time = label.slice(0, 5);
    await first.check();
    const reason = 'Cough for three weeks, worse at night';
    await page.getByLabel('What is the appointment for?').fill(reason);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { name: /Check your appointment before booking/ }).waitFor();
    const summary = page.locator('.nhsuk-summary-list');
    expect(await summary.textContent()).toContain(reason);
    expect(await summary.textContent()).toMatch(/By phone: the practice will phone you/);
    await check(page, 'book-check');

    await page.getByRole('button', { name: 'Book this appointment' }).click();
    await page.waitForURL(/\/my\/appointments$/);
    await page.getByText('Appointment booked').waitFor();
    const booked = page.locator('.cw-appointment').filter({ hasText: reason }).filter({ hasText: time });
    await expect.poll(() => booked.count(), { timeout: 30_000 }).toBe(1);
    expect(await booked.textContent()).toMatch(/How\s*By phone/);
    await check(page, 'booked');

    await booked.getByRole('button', { name: /Cancel appointment/ }).click();
    await page.getByRole('button', { name: 'Yes, cancel it' }).click();
    await page.getByText('has been cancelled').waitFor();
    await expect
      .poll(() => page.locator('.cw-appointment').filter({ hasText: reason }).count(), { timeout: 30_000 })
      .toBe(0);

    // Cancelled: in its own list, saying so, and still there after a reload (the choice is in the address).
    await page.getByRole('link', { name: /^Cancelled/ }).click();
    await page.waitForURL(/show=cancelled/);
    await page.reload();
    await page.getByRole('heading', { name: 'Cancelled appointments' }).waitFor();
    const row = page.locator('tr, .cw-responsive-row, li').filter({ hasText: 'Cancelled online by the patient' });
    await expect.poll(() => row.count(), { timeout: 30_000 }).toBeGreaterThan(0);
    expect(await page.locator('main').textContent()).toMatch(/Cancelled/);
    await check(page, 'cancelled');

    await page.getByRole('link', { name: /^Past/ }).click();
    await page.getByRole('heading', { name: 'Past appointments' }).waitFor();
    await check(page, 'past');
    await page.context().close();
  });

  it('lets the carer book in the acting-for voice', async () => {
    const page = await as('demo.carer');
    await page.waitForURL(/\/choose-person$/);
    await page.locator('input[name=person]').first().check();
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL(/\/my$/);
    await page.goto(`${server.baseUrl}/my/appointments/book`);
    await page.getByRole('heading', { name: /Acting for .+Book a GP appointment/, level: 1 }).waitFor();
    await page.getByText(/if .+ needs help now/).waitFor();
    await page.getByLabel('Face to face', { exact: true }).check();
    await page.locator('input[name=slot]').first().check();
    await page.getByLabel('What is the appointment for?').fill('Blood pressure check');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { name: /Check the appointment before booking/ }).waitFor();
    await check(page, 'carer-check');
    await page.getByRole('button', { name: 'Book this appointment' }).click();
    await page.getByText('Appointment booked').waitFor();
    await page.getByRole('heading', { name: /Acting for .+Appointments/, level: 1 }).waitFor();
    const booked = page.locator('.cw-appointment').filter({ hasText: 'Blood pressure check' });
    expect(await booked.textContent()).toMatch(/How\s*Face to face/);
    await check(page, 'carer-list');
    await page.context().close();
  });

  it('does not let a patient read, cancel or book for another patient (not found)', async () => {
    // The demo practice's GP surgery.
    const freeSlots = `/fhir/R4/Slot?schedule=Schedule/sched-p81002-gp&status=free&start=ge${new Date().toISOString()}&_sort=start`;
    // An appointment of another patient at the practice, found by the practice's GP.
    const gp = await as('demo.gp', { role: /Ormskirk Medical Practice/ });
    const slots = await call<Bundle>(gp, 'GET', freeSlots);
    const slotId = slots.body.entry![0]!.resource.id;
    // Another patient of the practice (not the one demo.patient signs in as).
    const patients = await call<Bundle>(gp, 'GET', '/fhir/R4/Patient?general-practitioner=Organization/org-p81002');
    const other = patients.body.entry!.map((e) => e.resource.id).find((id) => id !== server.demoPatientId)!;
    expect(other).toBeTruthy();
    const made = await call<{ id: string }>(gp, 'POST', '/fhir/R4/Appointment/$book', {
      resourceType: 'Parameters',
      parameter: [
        { name: 'slot', valueReference: { reference: `Slot/${slotId}` } },
        { name: 'patient', valueReference: { reference: `Patient/${other}` } },
        { name: 'reason', valueString: 'Private reason' },
      ],
    });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    await gp.context().close();

    const page = await as('demo.patient', { returnTo: '/my/appointments' });
    await page.getByRole('heading', { name: 'Appointments', level: 1 }).waitFor();
    expect((await call(page, 'GET', `/fhir/R4/Appointment/${made.body.id}`)).status).toBe(404);
    const cancel = await call(page, 'POST', `/fhir/R4/Appointment/${made.body.id}/$cancel`, {
      resourceType: 'Parameters',
      parameter: [],
    });
    expect(cancel.status).toBe(404);
    const free = await call<Bundle>(page, 'GET', freeSlots);
    const forOther = await call(page, 'POST', '/fhir/R4/Appointment/$book', {
      resourceType: 'Parameters',
      parameter: [
        { name: 'slot', valueReference: { reference: `Slot/${free.body.entry![0]!.resource.id}` } },
        { name: 'patient', valueReference: { reference: `Patient/${other}` } },
      ],
    });
    expect(forOther.status).toBe(404);
    const mine = await call<Bundle>(page, 'GET', `/fhir/R4/Appointment?patient=Patient/${other}`);
    expect(mine.body.entry ?? []).toHaveLength(0);
    await page.goto(`${server.baseUrl}/my/appointments?show=cancelled`);
    expect(await page.locator('main').textContent()).not.toContain('Private reason');
    await page.context().close();
  });
});

describe('the nominated pharmacy', () => {
  it('is found by postcode or name, nominated after a check, and shown where prescriptions are ordered', async () => {
    const page = await as('demo.patient', { returnTo: '/my/prescriptions' });
    await page.getByRole('heading', { name: 'Your repeat medicines' }).waitFor();
    await page.getByText('no nominated pharmacy').waitFor();
    await page.getByRole('link', { name: 'Choose a pharmacy' }).click();
    await page.getByRole('heading', { name: 'Nominated pharmacy', level: 1 }).waitFor();
    await check(page, 'pharmacy-none');

    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('link', { name: 'Enter a pharmacy name or postcode' }).waitFor();
    await check(page, 'pharmacy-error');

    await page.getByLabel('Pharmacy name or postcode').fill('l39');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('heading', { name: /pharmacies found for “l39”/ }).waitFor();
    const found = await page.locator('section[aria-labelledby=pharmacy-results] li strong').allTextContents();
    expect(found).toEqual(expect.arrayContaining(['Moor Street Pharmacy', 'Aughton Village Chemist']));
    expect(found).not.toContain('Concourse Pharmacy');
    // Pharmacies only: the practice in the same postcode is not offered.
    expect(found).not.toContain('Ormskirk Medical Practice');
    await page.getByRole('button', { name: 'Choose Moor Street Pharmacy' }).click();
    await page.getByText('Send your prescriptions to Moor Street Pharmacy from now on?').waitFor();
    await check(page, 'pharmacy-confirm');
    await page.getByRole('button', { name: 'Yes, nominate this pharmacy' }).click();
    await page.getByText('Moor Street Pharmacy is now your nominated pharmacy.').waitFor();
    await page.getByTestId('nominated-pharmacy').filter({ hasText: 'L39 2AQ' }).waitFor();
    await check(page, 'pharmacy-nominated');

    await page.getByLabel('Pharmacy name or postcode').fill('digmoor');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('heading', { name: /1 pharmacy found for “digmoor”/ }).waitFor();

    await page.getByRole('link', { name: 'Repeat prescriptions' }).last().click();
    await page.getByRole('heading', { name: 'Your repeat medicines' }).waitFor();
    await page.getByTestId('prescriptions-pharmacy').filter({ hasText: 'Moor Street Pharmacy' }).waitFor();
    await page
      .getByRole('button', { name: /^Order / })
      .first()
      .click();
    await page.getByRole('heading', { name: 'Check your order' }).waitFor();
    const row = page.locator('.nhsuk-summary-list__row').filter({ hasText: 'Where it will go' });
    expect(await row.textContent()).toContain('Moor Street Pharmacy');
    await check(page, 'prescriptions-check-pharmacy');
    await page.getByRole('button', { name: 'Do not order' }).click();
    await page.context().close();
  });

  it('lets the carer change it for the person they act for; nobody changes another patient’s', async () => {
    const page = await as('demo.carer');
    await page.waitForURL(/\/choose-person$/);
    await page.locator('input[name=person]').first().check();
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL(/\/my$/);
    await page.getByRole('link', { name: 'Prescriptions' }).first().click();
    // The patient may have nominated one already (the test before): choose or change.
    await page.getByRole('link', { name: /^(Choose a pharmacy|Change the nominated pharmacy)$/ }).click();
    await page.getByRole('heading', { name: /Acting for .+Nominated pharmacy/, level: 1 }).waitFor();
    await page.getByLabel('Pharmacy name or postcode').fill('Burscough');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('button', { name: 'Choose Burscough Pharmacy' }).click();
    await page.getByText(/Send .+’s prescriptions to Burscough Pharmacy from now on\?/).waitFor();
    await page.getByRole('button', { name: 'Yes, nominate this pharmacy' }).click();
    await page.getByText(/Burscough Pharmacy is now .+’s nominated pharmacy\./).waitFor();
    await check(page, 'carer-pharmacy');
    await page.context().close();

    const gp = await as('demo.gp', { role: /Ormskirk Medical Practice/ });
    const patients = await call<Bundle>(gp, 'GET', '/fhir/R4/Patient?general-practitioner=Organization/org-p81002');
    const other = patients.body.entry!.map((e) => e.resource.id).find((id) => id !== server.demoPatientId)!;
    const before = await call<{ extension?: unknown[] }>(gp, 'GET', `/fhir/R4/Patient/${other}`);

    const patient = await as('demo.patient', { returnTo: '/my/pharmacy' });
    await patient.getByRole('heading', { name: 'Nominated pharmacy', level: 1 }).waitFor();
    const attempt = await call(patient, 'POST', `/fhir/R4/Patient/${other}/$nominate-pharmacy`, {
      resourceType: 'Parameters',
      parameter: [{ name: 'pharmacy', valueReference: { reference: 'Organization/org-pharm-fw104' } }],
    });
    expect(attempt.status).toBe(404);
    const after = await call<{ extension?: unknown[] }>(gp, 'GET', `/fhir/R4/Patient/${other}`);
    expect(after.body.extension).toEqual(before.body.extension);
    await patient.context().close();
    await gp.context().close();
  });
});

describe('messages with the practice', () => {
  it('the patient writes (not for emergencies), the practice replies from its inbox, the patient reads it', async () => {
    const page = await as('demo.patient', { returnTo: '/my/messages' });
    await page.getByRole('heading', { name: 'Messages with the GP practice', level: 1 }).waitFor();
    // H-270: the notice comes before anything can be written.
    await page
      .getByTestId('not-for-emergencies')
      .filter({ hasText: /not for urgent problems.+call 111.+call 999/i })
      .waitFor();
    await page.getByRole('button', { name: 'Send message' }).click();
    await page.getByRole('link', { name: 'Enter your message' }).waitFor();
    await check(page, 'messages-error');
    const subject = 'Question about my ramipril';
    await page.getByLabel('Subject (optional)').fill(subject);
    await page.getByLabel('Your message').fill('I get a dry cough since starting ramipril. Should I keep taking it?');
    await page.getByRole('button', { name: 'Send message' }).click();
    await page.getByText('Message sent').waitFor();
    const item = page.locator('li').filter({ hasText: subject });
    await item.filter({ hasText: 'Waiting for the practice' }).waitFor();
    await check(page, 'messages-sent');

    const gp = await as('demo.gp', { role: /Ormskirk Medical Practice/, returnTo: '/practice/messages' });
    await gp.getByRole('heading', { name: 'Messages from patients', level: 1 }).waitFor();
    await gp.getByRole('link', { name: new RegExp(subject) }).click();
    await gp.getByText('I get a dry cough since starting ramipril').waitFor();
    await check(gp, 'practice-thread');
    await gp
      .getByRole('textbox', { name: 'Reply' })
      .fill('Please book a GP telephone appointment this week; keep taking it until then.');
    await gp.getByRole('button', { name: 'Send reply' }).click();
    await gp.getByText(/Reply sent\./).waitFor();
    await gp.context().close();

    await page.reload();
    await item.filter({ hasText: 'Replied' }).waitFor();
    await item.getByRole('link', { name: subject }).click();
    await page.getByText('Please book a GP telephone appointment this week').waitFor();
    expect(await page.locator('.cw-conversation').textContent()).toContain('Your GP practice');
    await check(page, 'messages-thread');
    await page.goto(`${server.baseUrl}/inbox`);
    await page.getByText('Your GP practice has replied').first().waitFor();
    await page.context().close();
  });

  it('the carer, whose permission does not cover messages, is told so; nobody writes for another patient', async () => {
    const carer = await as('demo.carer');
    await carer.waitForURL(/\/choose-person$/);
    await carer.locator('input[name=person]').first().check();
    await carer.getByRole('button', { name: 'Continue' }).click();
    await carer.waitForURL(/\/my$/);
    await carer.goto(`${server.baseUrl}/my/messages`);
    await carer.getByRole('heading', { name: /Acting for .+Messages with the GP practice/, level: 1 }).waitFor();
    await carer.getByTestId('not-for-emergencies').waitFor();
    const attempt = await call(carer, 'POST', `/fhir/R4/Patient/${server.demoPatientId}/$message-practice`, {
      resourceType: 'Parameters',
      parameter: [{ name: 'text', valueString: 'Hello' }],
    });
    expect(attempt.status).toBe(403);
    await check(carer, 'carer-messages');
    await carer.context().close();

    const gp = await as('demo.gp', { role: /Ormskirk Medical Practice/ });
    const patients = await call<Bundle>(gp, 'GET', '/fhir/R4/Patient?general-practitioner=Organization/org-p81002');
    const other = patients.body.entry!.map((e) => e.resource.id).find((id) => id !== server.demoPatientId)!;
    await gp.context().close();
    const patient = await as('demo.patient', { returnTo: '/my/messages' });
    await patient.getByRole('heading', { name: 'Messages with the GP practice', level: 1 }).waitFor();
    const forOther = await call(patient, 'POST', `/fhir/R4/Patient/${other}/$message-practice`, {
      resourceType: 'Parameters',
      parameter: [{ name: 'text', valueString: 'Pretending to be someone else' }],
    });
    expect(forOther.status).toBe(404);
    await patient.context().close();
  });
});
