/**
 * Fixtures for the dashboard's integration tests: the access scenario with accounts (p1 and p2 are
 * registered at org-gp), p1 enrolled on COPD by the GP through the real SMS path (prompt, replies,
 * a red reply that raises a Flag and a Task), and p2 on home BP by someone else with a green reading.
 */
import type { CarePlan, Patient } from '@medplum/fhirtypes';
import { ACTORS } from '../../access/testing/scenario.ts';
import { inboxTestApp, type InboxTestApp } from '../../notifications/testing/fixtures.ts';
import { AGREEMENT_EXTENSION } from '../enrolment/careplan.ts';

export const P1_PHONE = '+447700900321';
let counter = 0;

export interface DashboardTestApp extends InboxTestApp {
  copdPlan: string;
  bpPlan: string;
  text(body: string): Promise<void>;
}

async function withMobile(inbox: InboxTestApp, id: string, mobile: string): Promise<void> {
  const patient = JSON.parse((await inbox.t.platform.resources.read('Patient', id)).json ?? '{}') as Patient;
  await inbox.t.platform.resources.update('Patient', id, {
    ...patient,
    telecom: [{ system: 'phone', use: 'mobile', value: mobile }],
  });
}

async function enrol(inbox: InboxTestApp, patient: string, protocol: string, author: string): Promise<string> {
  const started = new Date(Date.now() - 20 * 86_400_000).toISOString();
  const plan: CarePlan = {
    resourceType: 'CarePlan',
    status: 'active',
    intent: 'plan',
    instantiatesCanonical: [`https://careweave.example/fhir/PlanDefinition/telehealth-${protocol}|1`],
    subject: { reference: patient },
    author: { reference: author },
    period: { start: started },
    extension: [{ url: AGREEMENT_EXTENSION, valueDateTime: started }],
  };
  const created = await inbox.t.platform.resources.create('CarePlan', plan);
  // Enrolled at once rather than by the reaction, so the test does not wait on the event bus.
  await inbox.t.app.modules.use('telehealth').enrolFromPlan(created.resource as CarePlan);
  return created.resource.id!;
}

/** The scenario with the two enrolments, p1's replies (green, then red) and p2's green reading. */
export async function dashboardTestApp(): Promise<DashboardTestApp> {
  const inbox = await inboxTestApp();
  const { t } = inbox;
  await withMobile(inbox, 'p1', '07700 900321');
  await withMobile(inbox, 'p2', '07700 900322');
  const copdPlan = await enrol(inbox, 'Patient/p1', 'copd', `Practitioner/${ACTORS.gp.practitionerId}`);
  const bpPlan = await enrol(inbox, 'Patient/p2', 'home-bp', 'Practitioner/someone-else');
  const text = async (body: string): Promise<void> => {
    await t.app.modules
      .use('sms')
      .receive({ provider: 'loopback', providerMessageId: `dash-${++counter}`, from: P1_PHONE, body });
  };
  const prompt = async (): Promise<void> => {
    await t.platform.db.query(`update telehealth_enrolment set next_prompt_at = now() where care_plan_id = $1`, [
      copdPlan,
    ]);
    await t.app.modules.use('telehealth').sendDuePrompts();
  };
  await prompt();
  await text('sats 95 pulse 80');
  await text('no');
  await prompt();
  await text('86 124');
  await t.platform.resources.create('Observation', {
    resourceType: 'Observation',
    status: 'final',
    code: { coding: [{ system: 'http://loinc.org', code: '8867-4', display: 'Heart rate' }], text: 'Heart rate' },
    subject: { reference: 'Patient/p2' },
    basedOn: [{ reference: `CarePlan/${bpPlan}` }],
    effectiveDateTime: new Date().toISOString(),
    valueQuantity: { value: 72, unit: '/min' },
  });
  return { ...inbox, copdPlan, bpPlan, text };
}
