import type {
  Bundle,
  Condition,
  Encounter,
  MedicationRequest,
  Observation,
  Patient,
  Resource,
} from '@medplum/fhirtypes';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectScreenOk, launchBrowser, newPage, PHONE, signIn } from './support/browser.ts';
import { buildWebApp, startE2eServer, type E2eServer } from './support/server.ts';

/**
 * The GP's record views (issue 10): the banner with address and phone, and every entry opening to its
 * own page — a visit with what was recorded in it, a problem with its visits and medicines, a
 * medicine with its issue history. What the pages must show is worked out from the same
 * `$everything` the GP's token gets, so the test follows the demo data wherever it changes.
 */
let server: E2eServer;
let browser: Browser;
let closeBrowser: () => Promise<void>;

beforeAll(async () => {
  buildWebApp();
  [server, { browser, close: closeBrowser }] = await Promise.all([startE2eServer(40), launchBrowser()]);
});

afterAll(async () => {
  await closeBrowser?.();
  await server?.stop();
});

/** The patient's record as the signed-in GP's own token reads it. */
async function everything(page: Page, patientId: string): Promise<Resource[]> {
  const bundle = await page.evaluate<Bundle, string>(async (url) => {
    const key = Object.keys(sessionStorage).find((k) => k.startsWith('oidc.user:'))!;
    const token = (JSON.parse(sessionStorage.getItem(key)!) as { access_token: string }).access_token;
    const response = await fetch(url, {
      headers: { authorization: `Bearer ${token}`, accept: 'application/fhir+json' },
    });
    return (await response.json()) as Bundle;
  }, `/fhir/R4/Patient/${patientId}/$everything`);
  return (bundle.entry ?? []).map((e) => e.resource!).filter(Boolean);
}

const refTo = (resource: Resource): RegExp =>
  new RegExp(`(^|/)${resource.resourceType}/${resource.id}(/_history/.*)?$`);

describe('the GP’s record views', () => {
  it('shows address and phone in the banner, and opens visits, problems and medicines to their own pages', async () => {
    const { page } = await newPage(browser);
    await signIn(page, server.baseUrl, 'demo.gp', { returnTo: `/patients/${server.demoPatientId}` });
    const banner = page.getByRole('region', { name: 'Patient details' });
    await banner.waitFor();
    const resources = await everything(page, server.demoPatientId);
    const patient = resources.find((r) => r.resourceType === 'Patient' && r.id === server.demoPatientId) as Patient;
    const postcode = patient.address?.[0]?.postalCode;
    expect(postcode, 'the demo patient has an address').toBeTruthy();
    await expect.poll(() => banner.textContent()).toContain(postcode!);
    expect(await banner.textContent()).toMatch(/Phone/);

    // A problem something points at (a medicine for it, a visit for it): its page lists those entries.
    const encounters = resources.filter((r): r is Encounter => r.resourceType === 'Encounter');
    const conditions = resources.filter((r): r is Condition => r.resourceType === 'Condition');
    const pointingAt = (target: Resource, type: string): Resource[] =>
      resources.filter(
        (r) => r.resourceType === type && JSON.stringify(r).includes(`${target.resourceType}/${target.id}"`),
      );
    const problem = conditions.find(
      (c) => pointingAt(c, 'MedicationRequest').length + pointingAt(c, 'Encounter').length,
    );
    expect(problem, 'the demo patient has a problem with a medicine or a visit for it').toBeDefined();
    const problemName = problem!.code!.text ?? problem!.code!.coding!.find((c) => c.display)!.display!;
    await page.locator('#problems').waitFor();
    const problemLink = page.getByRole('region', { name: 'Problems' }).getByRole('link', { name: problemName });
    await problemLink.and(page.locator(`a[href$="/entries/Condition/${problem!.id}"]`)).click();
    await page.waitForURL(new RegExp(`/entries/Condition/${problem!.id}$`));
    await expect.poll(() => page.locator('#entry-title').textContent()).toContain(problemName);
    for (const [type, title] of [
      ['Encounter', /^Visits for this problem/],
      ['MedicationRequest', /^Medicines for this problem/],
    ] as const) {
      const expected = pointingAt(problem!, type).length;
      const group = page.getByRole('region', { name: title });
      await expect.poll(() => (expected ? group.getByRole('listitem').count() : group.count())).toBe(expected);
    }
    await expectScreenOk(page, 'record-entry-problem');

    // A measurement taken in a visit: its page links to the visit, whose page lists what was measured in it.
    const measured = resources.find(
      (r): r is Observation => r.resourceType === 'Observation' && Boolean(r.encounter?.reference),
    );
    expect(measured, 'the demo patient has a measurement taken in a visit').toBeDefined();
    const visit = encounters.find((e) => refTo(e).test(measured!.encounter!.reference!))!;
    await page.goto(`${server.baseUrl}/patients/${server.demoPatientId}/entries/Observation/${measured!.id}`);
    await page
      .getByRole('region', { name: /^Recorded in the visit/ })
      .getByRole('link')
      .click();
    await page.waitForURL(new RegExp(`/entries/Encounter/${visit.id}$`));
    await page.getByRole('term').filter({ hasText: 'Kind of visit' }).waitFor();
    const inIt = pointingAt(visit, 'Observation').length + pointingAt(visit, 'DiagnosticReport').length;
    const tests = page.getByRole('region', { name: /^Tests and measurements/ });
    await expect.poll(() => tests.getByRole('listitem').count()).toBe(inIt);
    await expectScreenOk(page, 'record-entry-visit');

    // A repeat medicine: its page gives the issue history (issues from it and other courses of it).
    const medicines = resources.filter((r): r is MedicationRequest => r.resourceType === 'MedicationRequest');
    const code = (m: MedicationRequest): string | undefined => m.medicationCodeableConcept?.coding?.[0]?.code;
    const medicine = medicines.find(
      (m) =>
        code(m) !== undefined &&
        !m.basedOn?.length &&
        m.intent === 'order' &&
        medicines.some((o) => o !== m && code(o) === code(m)),
    );
    if (medicine) {
      const history = medicines.filter(
        (o) =>
          o !== medicine &&
          (code(o) === code(medicine) || o.basedOn?.some((b) => refTo(medicine).test(b.reference ?? ''))),
      );
      await page.goto(`${server.baseUrl}/patients/${server.demoPatientId}/entries/MedicationRequest/${medicine.id}`);
      const issues = page.getByRole('region', { name: /^Issue history/ });
      await expect.poll(() => issues.getByRole('listitem').count()).toBe(history.length);
      await expectScreenOk(page, 'record-entry-medicine');
    }

    // The GP's consultation note (demo record): its text, and its visit, which lists it under notes.
    await page.goto(`${server.baseUrl}/patients/${server.demoPatientId}`);
    await page
      .getByRole('region', { name: 'Documents' })
      .getByRole('link', { name: 'Medication review: consultation note' })
      .click();
    await page.waitForURL(/\/entries\/DocumentReference\/demo-consultation-note$/);
    await page.getByText('Medication review (face to face).').waitFor();
    await page.getByRole('term').filter({ hasText: 'Author' }).waitFor();
    await expectScreenOk(page, 'record-entry-note');
    await page
      .getByRole('region', { name: /^Recorded in the visit/ })
      .getByRole('link', { name: 'GP consultation' })
      .click();
    await page.waitForURL(/\/entries\/Encounter\/demo-medication-review-visit$/);
    const notes = page.getByRole('region', { name: /^Notes and letters/ });
    await notes.getByRole('link', { name: 'Medication review: consultation note' }).waitFor();
    await page.context().close();
  });

  it('opens an entry from the timeline on a phone, and says the same for a hidden or absent entry', async () => {
    const { page } = await newPage(browser, PHONE);
    await signIn(page, server.baseUrl, 'demo.gp', { returnTo: `/patients/${server.demoPatientId}/timeline` });
    const entry = page.locator('.cw-timeline__title a').first();
    await entry.waitFor();
    const title = (await entry.textContent())!.trim();
    await entry.click();
    await page.waitForURL(/\/entries\//);
    await expect.poll(() => page.locator('#entry-title').textContent()).toContain(title);
    await expectScreenOk(page, 'record-entry-phone');

    // Another patient's id, or one that does not exist: the same words, nothing of either.
    await page.goto(`${server.baseUrl}/patients/${server.demoPatientId}/entries/Condition/no-such-condition`);
    await page.getByRole('heading', { name: 'Entry not found' }).waitFor();
    await page.getByText('This entry is not in the part of the record you can see.').waitFor();
    await page.context().close();
  });

  it('opens a letter in the patient’s own record to its words, and says so plainly for an unknown one', async () => {
    const { page } = await newPage(browser);
    await signIn(page, server.baseUrl, 'demo.patient', { returnTo: '/my' });
    const letters = page.getByRole('region', { name: 'Letters and documents' }).getByRole('link');
    await letters.first().waitFor();
    const title = (await letters.first().textContent())!.trim();
    await letters.first().click();
    await page.waitForURL(/\/my\/documents\//);
    await page.getByRole('heading', { level: 1, name: title }).waitFor();
    // Its words, or where to get a copy when there is no text version: never an empty page.
    await page.locator('.cw-letter__text, .nhsuk-inset-text').first().waitFor();
    expect(((await page.locator('main').textContent()) ?? '').length).toBeGreaterThan(title.length + 40);
    await expectScreenOk(page, 'portal-letter');

    await page.goto(`${server.baseUrl}/my/documents/no-such-letter`);
    await page.getByRole('heading', { level: 1, name: 'Letter not found' }).waitFor();
    await page.context().close();
  });
});
