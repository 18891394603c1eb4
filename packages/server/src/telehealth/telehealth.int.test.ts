/**
 * Telehealth end to end through the real gateways: a CarePlan enrols the patient, the prompt goes to
 * their phone, replies in everyday formats become readings and instant answers, a red reading alerts
 * the team, PAUSE and RESUME work, and a stranger's number gets a neutral answer with nothing stored.
 */
import type { CarePlan } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTORS } from '../access/testing/scenario.ts';
import { inboxTestApp, type InboxTestApp } from '../notifications/testing/fixtures.ts';
import type { TestApp } from '../testing/app.ts';
import { AGREEMENT_EXTENSION } from './enrolment/careplan.ts';
import { EnrolmentRepository } from './enrolment/enrolment.repository.ts';

let t: TestApp;
let inbox: InboxTestApp;
const PHONE = '+447700900321';
let counter = 0;

async function text(from: string, body: string): Promise<void> {
  await t.app.modules.use('sms').receive({ provider: 'loopback', providerMessageId: `m-${++counter}`, from, body });
}

async function sentTo(phone: string): Promise<string[]> {
  const rows = await t.platform.db.query<{ body: string }>(
    `select body from sms_message where direction = 'out' and phone = $1 order by created_at, id`,
    [phone],
  );
  return rows.map((row) => row.body);
}

async function enrolment(id: string) {
  return new EnrolmentRepository(t.platform.db).get(id);
}

beforeAll(async () => {
  // The access scenario: p1 is registered at org-gp, whose GP (ACTORS.gp) enrols them.
  inbox = await inboxTestApp();
  t = inbox.t;
  const p1 = JSON.parse((await t.platform.resources.read('Patient', 'p1')).json ?? '{}');
  await t.platform.resources.update('Patient', 'p1', {
    ...p1,
    telecom: [{ system: 'phone', use: 'mobile', value: '07700 900321' }],
  });
});
afterAll(async () => t.close());

function copdPlan(extra: Partial<CarePlan> = {}): CarePlan {
  return {
    resourceType: 'CarePlan',
    status: 'active',
    intent: 'plan',
    instantiatesCanonical: ['https://careweave.example/fhir/PlanDefinition/telehealth-copd|1'],
    subject: { reference: 'Patient/p1' },
    author: { reference: `Practitioner/${ACTORS.gp.practitionerId}` },
    period: { start: new Date().toISOString() },
    extension: [{ url: AGREEMENT_EXTENSION, valueDateTime: new Date().toISOString() }],
    ...extra,
  };
}

describe('telehealth by text message', () => {
  let planId: string;

  it('enrols a patient from a CarePlan created through the API', async () => {
    const created = await t.fhir('POST', 'CarePlan', copdPlan());
    expect(created.status).toBe(201);
    planId = created.body.id;
    await expect.poll(async () => (await enrolment(planId))?.status, { timeout: 15_000 }).toBe('active');
    const enrolled = (await enrolment(planId))!;
    expect(enrolled.phone).toBe(PHONE);
    expect(enrolled.nextPromptAt).not.toBeNull();
  });

  it('refuses, at the door, a plan that could not enrol the patient, saying why', async () => {
    const cases: [Partial<CarePlan>, RegExp][] = [
      [{ extension: [] }, /agreement/],
      [{ instantiatesCanonical: ['https://careweave.example/fhir/PlanDefinition/telehealth-copd|9'] }, /version 9/],
      [{ subject: { reference: 'Patient/p2' } }, /no UK mobile number/],
      [{}, /already enrolled on the COPD/],
    ];
    for (const [change, reason] of cases) {
      const refused = await t.fhir('POST', 'CarePlan', copdPlan(change));
      expect(refused.status).toBe(422);
      expect(refused.body.resourceType).toBe('OperationOutcome');
      expect(refused.body.issue.map((i: any) => i.diagnostics).join(' ')).toMatch(reason);
    }
    const plans = await t.fhir('GET', 'CarePlan?subject=Patient/p1&_summary=count');
    expect(plans.body.total).toBe(1);
  });

  it('tells staff who may not write to the patient nothing about them (no reasons, nothing written)', async () => {
    const before = (await t.fhir('GET', 'CarePlan?subject=Patient/p1&_summary=count')).body.total;
    const refused = await inbox.api(ACTORS.acute, 'POST', '/fhir/R4/CarePlan', copdPlan({ extension: [] }));
    expect([403, 404]).toContain(refused.status);
    expect(JSON.stringify(refused.body)).not.toMatch(/agreement|mobile|already enrolled/);
    expect((await t.fhir('GET', 'CarePlan?subject=Patient/p1&_summary=count')).body.total).toBe(before);
  });

  it('always lets a plan be stopped, whatever else is missing', async () => {
    const plan = (await t.fhir('GET', `CarePlan/${planId}`)).body;
    const other = await t.fhir('POST', 'CarePlan', {
      ...plan,
      id: undefined,
      meta: undefined,
      status: 'completed',
      extension: [],
    });
    expect(other.status).toBe(201);
  });

  it('sends the prompt when it is due, once', async () => {
    await t.platform.db.query(
      `update telehealth_enrolment set next_prompt_at = now() - interval '1 minute' where care_plan_id = $1`,
      [planId],
    );
    const service = t.app.modules.use('telehealth');
    expect(await service.sendDuePrompts()).toBe(1);
    expect(await service.sendDuePrompts()).toBe(0);
    expect((await sentTo(PHONE)).at(-1)).toMatch(/oxygen level and pulse/);
  });

  it('records an everyday reply, answers it and asks the next question', async () => {
    await text(PHONE, 'sats 95% pulse 80');
    const sent = await sentTo(PHONE);
    expect(sent.at(-2)).toMatch(/Thank you, your reading has been recorded/);
    expect(sent.at(-1)).toMatch(/more breathless than usual/);
    const observations = await t.fhir('GET', `Observation?based-on=CarePlan/${planId}`);
    const codes = observations.body.entry.map((e: any) => e.resource.code.coding[0].code).sort();
    expect(codes).toEqual(['59408-5', '8867-4']);
    await text(PHONE, 'no');
    expect((await enrolment(planId))!.awaiting).toBeNull();
  });

  it('asks again for what it cannot read, and stores no reading', async () => {
    await t.platform.db.query(`update telehealth_enrolment set next_prompt_at = now() where care_plan_id = $1`, [
      planId,
    ]);
    await t.app.modules.use('telehealth').sendDuePrompts();
    const before = (await t.fhir('GET', `Observation?based-on=CarePlan/${planId}&_summary=count`)).body.total;
    await text(PHONE, 'feeling a bit rough');
    expect((await sentTo(PHONE)).at(-1)).toMatch(/couldn't read that.*like this: 95/);
    expect((await t.fhir('GET', `Observation?based-on=CarePlan/${planId}&_summary=count`)).body.total).toBe(before);
  });

  it('alerts the team for a red reading: a Flag, a Task and the nurse’s inbox', async () => {
    const before = (await sentTo(PHONE)).length;
    await text(PHONE, '86 124');
    // Its answers (messages of one transaction share a creation time: compare the set, not the order).
    const answers = (await sentTo(PHONE)).slice(before);
    expect(answers).toContainEqual(expect.stringMatching(/care team has been alerted/));
    const tasks = await t.fhir('GET', 'Task?patient=Patient/p1&code=telehealth-alert');
    expect(tasks.body.entry?.length).toBeGreaterThan(0);
    expect(tasks.body.entry[0].resource.priority).toBe('stat');
    const flags = await t.fhir('GET', 'Flag?patient=Patient/p1');
    expect(flags.body.entry[0].resource.code.text).toMatch(/Oxygen below 88%/);
    const notices = await inbox.api(ACTORS.gp, 'GET', '/api/notifications?status=unread');
    expect(notices.status).toBe(200);
    expect(notices.body.items.some((item: any) => item.category.code === 'telehealth-alert')).toBe(true);
  });

  it('pauses and resumes by text', async () => {
    await text(PHONE, 'PAUSE');
    expect((await enrolment(planId))!.status).toBe('paused');
    expect((await sentTo(PHONE)).at(-1)).toMatch(/paused/);
    await text(PHONE, 'resume');
    expect((await enrolment(planId))!.status).toBe('active');
  });

  it('answers a number it does not know neutrally, storing nothing clinical', async () => {
    const stranger = '+447700900999';
    const before = (await t.fhir('GET', 'Observation?_summary=count')).body.total;
    await text(stranger, '140/90');
    expect((await sentTo(stranger)).at(-1)).toMatch(/not linked to a CareWeave service/);
    expect((await t.fhir('GET', 'Observation?_summary=count')).body.total).toBe(before);
  });

  it('shows the enrolment to staff who may see the patient, and answers others as if it were absent', async () => {
    const gp = await inbox.api(ACTORS.gp, 'GET', '/api/telehealth/enrolments?patient=Patient/p1');
    expect(gp.status).toBe(200);
    expect(gp.body.enrolments.some((e: any) => e.carePlan === `CarePlan/${planId}` && e.status === 'active')).toBe(
      true,
    );
    const stranger = await inbox.api(ACTORS.acute, 'GET', '/api/telehealth/enrolments?patient=Patient/p1');
    expect(stranger.status).toBe(404);
    const patient = await inbox.api(ACTORS.patient1, 'GET', '/api/telehealth/enrolments?patient=Patient/p1');
    expect(patient.status).toBe(403);
  });
});
