import type { Patient } from '@medplum/fhirtypes';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectScreenOk, launchBrowser, newPage, signIn } from './support/browser.ts';
import { buildWebApp, startE2eServer, type E2eServer } from './support/server.ts';

/**
 * The care coordination hub (docs/COORDINATION.md) end to end: demo.gp refers one of the practice's
 * patients from their record; demo.coordinator triages it (accept, routine, herself as coordinator),
 * finds the case on her case list, adds a goal and assigns the practice a medication review; demo.gp
 * sees it under "Tasks assigned to me" and marks it done; the coordinator arranges an MDT meeting
 * with the patient (booked as an Appointment with the care team invited) and records the outcome and
 * the next review date. "Add to case list" on the risk list: demo.gp's add refers a patient to the
 * single point of access with the score as the reason; demo.matron (of the SPA) adding the same patient
 * takes the case onto her caseload. Each screen is screenshotted and checked with axe-core (WCAG 2.2 AA).
 */
let server: E2eServer;
let browser: Browser;
let closeBrowser: () => Promise<void>;

const PRACTICE = { role: /Ormskirk Medical Practice/ };
const check = (page: Page, name: string): Promise<void> => expectScreenOk(page, `coordination-${name}`);
const tomorrow = (): string => new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);

beforeAll(async () => {
  buildWebApp();
  [server, { browser, close: closeBrowser }] = await Promise.all([startE2eServer(40), launchBrowser()]);
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

/** A living patient of the GP's practice who is not yet on a care coordination plan. */
async function practicePatient(page: Page): Promise<{ id: string; name: string }> {
  const bundle = await fhir<{ entry?: { resource: Patient }[] }>(page, 'Patient?_count=100&_sort=-birthdate');
  for (const { resource } of bundle.entry ?? []) {
    if (resource.deceasedBoolean || resource.deceasedDateTime || !resource.generalPractitioner) {
      continue;
    }
    const plans = await fhir<{ total?: number }>(page, `CarePlan?subject=Patient/${resource.id!}&_summary=count`);
    if (!plans.total) {
      const name = resource.name?.find((n) => n.use === 'official') ?? resource.name?.[0];
      return { id: resource.id!, name: [name?.given?.join(' '), name?.family].filter(Boolean).join(' ') };
    }
  }
  throw new Error('No patient of the practice without a care plan');
}

describe('care coordination hub', () => {
  it('referral → triage → care plan task → MDT outcome', async () => {
    // The GP refers from the patient's record.
    const gp = (await newPage(browser)).page;
    await signIn(gp, server.baseUrl, 'demo.gp', { ...PRACTICE, returnTo: '/find' });
    const patient = await practicePatient(gp);
    await gp.goto(`${server.baseUrl}/patients/${patient.id}`);
    await gp.getByRole('link', { name: 'Refer for care coordination' }).click();
    await gp.getByRole('heading', { name: `Refer ${patient.name} for care coordination` }).waitFor();
    await gp.getByRole('button', { name: 'Send referral' }).click();
    await gp
      .getByRole('alert')
      .getByRole('link', { name: /Enter why you are referring/ })
      .waitFor();
    await check(gp, 'refer-error');
    await gp.getByLabel('Why are you referring?').fill('Two falls this month, lives alone, not coping with medicines');
    await gp.getByRole('button', { name: 'Send referral' }).click();
    await gp.getByText('Referral sent').waitFor();
    await check(gp, 'referred');

    // The coordinator triages it.
    const coordinator = (await newPage(browser)).page;
    await signIn(coordinator, server.baseUrl, 'demo.coordinator', { returnTo: '/coordination/referrals' });
    await coordinator.getByRole('heading', { name: 'Referrals to triage' }).waitFor();
    const card = coordinator.locator('.nhsuk-card', { hasText: patient.name });
    await card.getByRole('button', { name: /Triage/ }).click();
    await card.getByLabel('Accept', { exact: true }).check();
    await card.getByLabel('Routine', { exact: true }).check();
    await card.getByLabel('Care coordinator').selectOption({ label: 'Aisha Begum' });
    await check(coordinator, 'triage');
    await card.getByRole('button', { name: /Save decision/ }).click();
    await coordinator.getByText(`Referral for ${patient.name} accepted`).waitFor();

    // Her case list, the case's care plan: a goal and a task for the practice.
    await coordinator.getByRole('link', { name: 'My case list' }).click();
    await coordinator.getByRole('table').getByRole('link', { name: patient.name }).click();
    await coordinator.getByRole('heading', { name: `Care plan for ${patient.name}` }).waitFor();
    await coordinator.getByLabel('Goal, in the patient’s words if possible').fill('Stay safely at home');
    await coordinator.getByRole('button', { name: 'Add goal' }).click();
    await coordinator.getByText('Goal added to the plan.').waitFor();
    await coordinator.getByLabel('What needs doing').fill('Structured medication review');
    await coordinator.getByLabel('Role').selectOption('gp');
    await coordinator.getByLabel('Organisation').selectOption({ label: 'Ormskirk Medical Practice' });
    await coordinator.getByLabel('Due date').fill(tomorrow());
    await coordinator.getByRole('button', { name: 'Assign task' }).click();
    await coordinator.getByText(/Task assigned/).waitFor();
    await coordinator
      .getByRole('row', { name: /Structured medication review/ })
      .first()
      .waitFor();
    await check(coordinator, 'care-plan');

    // The GP's practice does the task.
    await gp.goto(`${server.baseUrl}/coordination/tasks`);
    await gp.getByRole('heading', { name: 'Tasks assigned to me' }).waitFor();
    const row = gp.getByRole('row', { name: /Structured medication review/ });
    await row.getByRole('button', { name: /Mark as done/ }).click();
    await gp.getByLabel('What was done (optional)').fill('Reviewed: two medicines stopped');
    await check(gp, 'task-complete');
    await gp.getByRole('button', { name: /Confirm done/ }).click();
    await gp.getByText('“Structured medication review” marked as done.').waitFor();

    // The MDT meeting: arranged with the patient, outcome and next review recorded.
    await coordinator.getByRole('link', { name: 'MDT meetings' }).click();
    await coordinator.getByRole('heading', { name: 'MDT meetings' }).waitFor();
    await coordinator.getByLabel('Name').fill('Frailty MDT');
    await coordinator.getByLabel('Date and time').fill(`${tomorrow()}T10:00`);
    await coordinator.getByLabel(patient.name).check();
    await check(coordinator, 'meetings');
    await coordinator.getByRole('button', { name: 'Arrange meeting' }).click();
    await coordinator.getByRole('heading', { name: 'Frailty MDT' }).waitFor();
    // Booked as an Appointment: an hour, the coordinator chairing, the care team invited.
    await coordinator.getByRole('heading', { name: 'Booked until 11:00' }).waitFor();
    await coordinator.getByText('Aisha Begum (chair): Accepted').waitFor();
    expect(await coordinator.locator('#invited-heading ~ ul li').count()).toBeGreaterThan(1);
    await coordinator.getByLabel(`Outcome for ${patient.name}`).fill('Falls clinic referral; carer assessment offered');
    await coordinator.getByLabel('Next review date (optional)').first().fill('2027-03-01');
    await coordinator.getByRole('button', { name: `Record outcome for ${patient.name}` }).click();
    await coordinator.getByText(`Outcome for ${patient.name} recorded in their record.`).waitFor();
    await coordinator.getByText('Falls clinic referral; carer assessment offered').waitFor();
    expect(await coordinator.getByText('Next review: 1 March 2027').count()).toBeGreaterThan(0);
    await check(coordinator, 'meeting-outcome');
  });

  it('"Add to case list" on the risk list: the GP refers, the community matron takes the case on', async () => {
    // The GP is not the single point of access: adding refers the patient, the score as the reason.
    const gp = (await newPage(browser)).page;
    await signIn(gp, server.baseUrl, 'demo.gp', { ...PRACTICE, returnTo: '/population-health' });
    await gp.getByRole('heading', { level: 1, name: /Risk of emergency admission/ }).waitFor();
    const add = gp.getByRole('button', { name: /^Add .+ to case list$/ }).first();
    const name = /^Add (.+) to case list$/.exec((await add.textContent())!.trim())![1]!;
    await add.click();
    const row = (page: Page) => page.getByRole('row').filter({ has: page.getByRole('link', { name, exact: true }) });
    await row(gp).getByText('Referred to care coordination').waitFor();
    await check(gp, 'risk-list-referred');

    // The SPA sees it on its worklist with the risk score as the reason.
    const matron = (await newPage(browser)).page;
    await signIn(matron, server.baseUrl, 'demo.matron', { returnTo: '/coordination/referrals' });
    await matron.getByRole('heading', { name: 'Referrals to triage' }).waitFor();
    await matron
      .locator('.nhsuk-card', { hasText: name })
      .getByText(/Risk of emergency admission/)
      .waitFor();

    // The matron, of the single point of access, adds the same patient from her risk list: her caseload.
    await matron.goto(`${server.baseUrl}/population-health`);
    await matron.getByRole('heading', { level: 1, name: /Risk of emergency admission/ }).waitFor();
    await row(matron)
      .getByRole('button', { name: `Add ${name} to case list` })
      .click();
    await row(matron).getByText('On your caseload').waitFor();
    await check(matron, 'risk-list-caseload');
    await matron.goto(`${server.baseUrl}/coordination`);
    await matron.getByRole('table').getByRole('link', { name }).waitFor();
    await check(matron, 'matron-cases');

    // The GP's case list says who has the case now.
    await gp.goto(`${server.baseUrl}/population-health/case-list`);
    await row(gp).getByText('Care coordinator: Helen Marsden').waitFor();
    await check(gp, 'gp-case-list-allocated');
  });
});
