/**
 * Rounds of prompts: reminders of an unanswered prompt (once, not after an answer, not stale), a big
 * round sent in batches with one request for help, every prompt recorded as a Communication, and a
 * number that texted STOP paused instead of texted.
 */
import type { CarePlan, Patient } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadScenario } from '../../access/testing/scenario.ts';
import { createTestApp, type TestApp } from '../../testing/app.ts';
import { AGREEMENT_EXTENSION, FIRST_PROMPT_NOW_EXTENSION } from '../enrolment/careplan.ts';
import { EnrolmentRepository } from '../enrolment/enrolment.repository.ts';

let t: TestApp;
const PHONES = { p1: '+447700900401', p2: '+447700900402', p3: '+447700900403' } as const;
let counter = 0;

async function sentTo(phone: string): Promise<string[]> {
  const rows = await t.platform.db.query<{ body: string }>(
    `select body from sms_message where direction = 'out' and phone = $1 order by created_at, id`,
    [phone],
  );
  return rows.map((row) => row.body);
}

async function text(from: string, body: string): Promise<void> {
  await t.app.modules.use('sms').receive({ provider: 'loopback', providerMessageId: `r-${++counter}`, from, body });
}

/** Enrols the patient on COPD (prompt due a minute ago), directly through the service. */
async function enrol(patientId: keyof typeof PHONES): Promise<string> {
  const patient = JSON.parse((await t.platform.resources.read('Patient', patientId)).json ?? '{}') as Patient;
  await t.platform.resources.update('Patient', patientId, {
    ...patient,
    telecom: [{ system: 'phone', use: 'mobile', value: PHONES[patientId] }],
  });
  const plan: CarePlan = {
    resourceType: 'CarePlan',
    id: `rounds-${patientId}`,
    status: 'active',
    intent: 'plan',
    instantiatesCanonical: ['https://careweave.example/fhir/PlanDefinition/telehealth-copd|1'],
    subject: { reference: `Patient/${patientId}` },
    period: { start: new Date(Date.now() - 86_400_000).toISOString() },
    extension: [{ url: AGREEMENT_EXTENSION, valueDateTime: new Date().toISOString() }],
  };
  await t.app.modules.use('telehealth').enrolFromPlan(plan);
  await due(plan.id!);
  return plan.id!;
}

async function due(carePlanId: string, column: 'next_prompt_at' | 'remind_at' = 'next_prompt_at'): Promise<void> {
  await t.platform.db.query(
    `update telehealth_enrolment set ${column} = now() - interval '1 minute' where care_plan_id = $1`,
    [carePlanId],
  );
}

const enrolment = (id: string) => new EnrolmentRepository(t.platform.db).get(id);

beforeAll(async () => {
  t = await createTestApp();
  await t.app.ready();
  await loadScenario(t.platform.db, t.fhirBase);
});
afterAll(async () => t.close());

describe('rounds of prompts', () => {
  it('sends a big round in batches, asks once for help, and records every prompt in the record', async () => {
    const plans = await Promise.all((['p1', 'p2', 'p3'] as const).map((p) => enrol(p)));
    let asked = 0;
    const sent = await t.app.modules.use('telehealth').sendAllDue(() => Promise.resolve(asked++), 2);
    expect(sent).toBe(3);
    expect(asked).toBe(1);
    // Each phone: the welcome when enrolled, then the round's question, once.
    const welcome = expect.stringMatching(/set up COPD .* by text\. We will text you at 10:00 each day.*STOP to stop/);
    const question = expect.stringMatching(/oxygen level and pulse/);
    for (const phone of Object.values(PHONES)) {
      expect(await sentTo(phone)).toEqual([welcome, question]);
    }
    for (const plan of plans) {
      const messages = await t.fhir('GET', `Communication?based-on=CarePlan/${plan}&_sort=sent`);
      expect(messages.body.entry.map((e: any) => e.resource.payload[0].contentString)).toEqual([welcome, question]);
    }
    // Sent as the patient's practice, whose staff see them (the phone simulator, failures).
    const senders = await t.platform.db.query<{ sender: string | null }>(
      `select distinct sender_organization_id as sender from sms_message where phone = $1`,
      [PHONES.p1],
    );
    expect(senders).toEqual([{ sender: 'org-gp' }]);
  });

  it('reminds once of an unanswered prompt, when the protocol says, and not when it is stale', async () => {
    const plan = 'rounds-p1';
    const before = (await enrolment(plan))!;
    // COPD reminds after 120 minutes, before the next prompt.
    expect(before.remindAt!.getTime() - Date.now()).toBeGreaterThan(110 * 60_000);
    await due(plan, 'remind_at');
    const service = t.app.modules.use('telehealth');
    await service.sendDuePrompts();
    await service.sendDuePrompts();
    const texts = await sentTo(PHONES.p1);
    expect(texts.filter((body) => body.startsWith('Reminder: '))).toHaveLength(1);
    expect((await enrolment(plan))!.remindAt).toBeNull();
    // A reminder more than the catch-up window late (after downtime) is dropped, not sent.
    await t.platform.db.query(
      `update telehealth_enrolment set remind_at = now() - interval '5 hours' where care_plan_id = 'rounds-p2'`,
    );
    await service.sendDuePrompts();
    expect((await sentTo(PHONES.p2)).filter((body) => body.startsWith('Reminder: '))).toHaveLength(0);
    expect((await enrolment('rounds-p2'))!.remindAt).toBeNull();
  });

  it('does not remind after the answer, and reminds of the next question of the round', async () => {
    await text(PHONES.p3, 'sats 96 pulse 72');
    const asking = (await enrolment('rounds-p3'))!;
    expect(asking.awaiting?.promptId).toBe('breathless');
    expect(asking.remindAt).not.toBeNull();
    await text(PHONES.p3, 'no');
    expect((await enrolment('rounds-p3'))!.remindAt).toBeNull();
  });

  it('asks the first question at once when the plan asks for it, else at its time', async () => {
    const plan = (id: string, now: boolean): CarePlan => ({
      resourceType: 'CarePlan',
      id,
      status: 'active',
      intent: 'plan',
      instantiatesCanonical: ['https://careweave.example/fhir/PlanDefinition/telehealth-home-bp|1'],
      subject: { reference: 'Patient/p1' },
      period: { start: new Date().toISOString() },
      extension: [
        { url: AGREEMENT_EXTENSION, valueDateTime: new Date().toISOString() },
        ...(now ? [{ url: FIRST_PROMPT_NOW_EXTENSION, valueBoolean: true }] : []),
      ],
    });
    const service = t.app.modules.use('telehealth');
    const asked = await service.enrolFromPlan(plan('rounds-now', true));
    expect(asked.nextPromptAt!.getTime()).toBeLessThanOrEqual(Date.now());
    const waits = await service.enrolFromPlan(plan('rounds-later', false));
    expect(waits.nextPromptAt!.getTime()).toBeGreaterThan(Date.now());
  });

  it('pauses a number that texts STOP at once, sends it nothing, and START resumes it', async () => {
    await text(PHONES.p2, 'STOP');
    const paused = (await enrolment('rounds-p2'))!;
    expect(paused.status).toBe('paused');
    expect(paused.problems.join(' ')).toMatch(/STOP/);
    // Even a prompt made due is not sent (and not counted as missed).
    await due('rounds-p2');
    const before = (await sentTo(PHONES.p2)).length;
    await t.app.modules.use('telehealth').sendDuePrompts();
    expect((await sentTo(PHONES.p2)).length).toBe(before);
    await text(PHONES.p2, 'START');
    const resumed = (await enrolment('rounds-p2'))!;
    expect(resumed).toMatchObject({ status: 'active', problems: [] });
    expect(resumed.nextPromptAt!.getTime()).toBeGreaterThan(Date.now());
  });

  it('does not resume, on START, an enrolment paused for another reason', async () => {
    await text(PHONES.p3, 'PAUSE');
    await text(PHONES.p3, 'STOP');
    await text(PHONES.p3, 'START');
    expect((await enrolment('rounds-p3'))!.status).toBe('paused');
  });
});
