/**
 * The triager's preview of the patient's letter (PGlite and PostgreSQL): the letter for a coded
 * reason, the same words as the letter then sent; and the worklists a provider's clinic works from
 * (booked, attended). Attacks: the referrer, another practice's GP and an unknown Task are refused,
 * hidden looking like absent; nothing is stored by a preview.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GP, lifecycleTestApp, OTHER_GP, PATIENT, TRIAGER, type LifecycleTestApp } from './testing/fixtures.ts';

let h: LifecycleTestApp;
let request: string;
let task: string;
beforeAll(async () => {
  h = await lifecycleTestApp();
  const form = await h.fhirAs(GP, 'POST', 'QuestionnaireResponse', {
    resourceType: 'QuestionnaireResponse',
    status: 'completed',
    questionnaire: 'https://careweave.example/fhir/Questionnaire/referral-form-msk|1.0.0',
    subject: { reference: `Patient/${PATIENT}` },
    item: [
      { linkId: 'reason', answer: [{ valueString: 'Knee pain for months' }] },
      { linkId: 'duration', answer: [{ valueCoding: { code: 'over-a-year' } }] },
      { linkId: 'tried-physiotherapy', answer: [{ valueBoolean: true }] },
    ],
  });
  const created = await h.api(GP, 'POST', '/api/referrals/referrals', {
    patientId: PATIENT,
    specialty: 'msk',
    priority: 'routine',
    reason: 'Knee pain for months despite exercise',
    form: form.body.id,
  });
  request = (created.body.serviceRequest as string).split('/')[1]!;
  await h.api(GP, 'POST', `/api/referrals/referrals/${request}/shortlist`);
  const sent = await h.api(GP, 'POST', `/api/referrals/referrals/${request}/send`, {
    serviceId: 'svc-msk-ras',
    action: 'triage',
  });
  expect(sent.status, JSON.stringify(sent.body)).toBe(200);
  task = (sent.body.task as string).split('/')[1]!;
}, 120_000);
afterAll(async () => h?.close());

const preview = (actor: typeof GP, id: string, body: unknown) =>
  h.api(actor, 'POST', `/api/referrals/tasks/${id}/letter-preview`, body);

describe('the letter preview', () => {
  it.each([
    [GP, 403, 'the referrer (not the provider)'],
    [OTHER_GP, 404, 'another practice’s GP (hidden, as absent)'],
  ])('refuses %#: %s', async (actor, status) => {
    const answer = await preview(actor, task, { reason: 'criteria-not-met' });
    expect(answer.status).toBe(status);
    expect(answer.body.resourceType).toBe('OperationOutcome');
  });

  it('answers 404 for an unknown Task and 400 for a reason that is not coded', async () => {
    expect((await preview(TRIAGER, 'no-such-task', { reason: 'criteria-not-met' })).status).toBe(404);
    expect((await preview(TRIAGER, task, { reason: 'because' })).status).toBe(400);
  });

  it('is the letter the patient is then sent, and stores nothing itself', async () => {
    const before = await h.fhirAs(GP, 'GET', `Communication?based-on=ServiceRequest/${request}`);
    expect(before.body.entry ?? []).toHaveLength(0);
    const answer = await preview(TRIAGER, task, { reason: 'criteria-not-met' });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body.letter).toMatch(/^Dear Mrs Margaret Ashcroft,/);
    expect(answer.body.letter).toContain('do not meet the criteria agreed locally');
    const still = await h.fhirAs(GP, 'GET', `Communication?based-on=ServiceRequest/${request}`);
    expect(still.body.entry ?? []).toHaveLength(0);

    const rejected = await h.api(TRIAGER, 'POST', `/api/referrals/tasks/${task}/triage`, {
      decision: 'reject',
      reason: 'criteria-not-met',
      note: 'Conservative management first',
    });
    expect(rejected.status, JSON.stringify(rejected.body)).toBe(200);
    const letters = await h.fhirAs(GP, 'GET', `Communication?based-on=ServiceRequest/${request}`);
    expect(letters.body.entry?.[0]?.resource.payload[0].contentString).toBe(answer.body.letter);
    // Decided: no more previews (the referral is no longer for triage, nor the provider's to read).
    expect([404, 409]).toContain((await preview(TRIAGER, task, { reason: 'criteria-not-met' })).status);
  });
});

describe('the clinic worklists', () => {
  it('lists booked then attended referrals for the provider, and nothing for another practice', async () => {
    const form = await h.fhirAs(GP, 'POST', 'QuestionnaireResponse', {
      resourceType: 'QuestionnaireResponse',
      status: 'completed',
      questionnaire: 'https://careweave.example/fhir/Questionnaire/referral-form-msk|1.0.0',
      subject: { reference: `Patient/${PATIENT}` },
      item: [
        { linkId: 'reason', answer: [{ valueString: 'Hip pain for months' }] },
        { linkId: 'duration', answer: [{ valueCoding: { code: 'over-a-year' } }] },
        { linkId: 'tried-physiotherapy', answer: [{ valueBoolean: true }] },
      ],
    });
    const created = await h.api(GP, 'POST', '/api/referrals/referrals', {
      patientId: PATIENT,
      specialty: 'msk',
      priority: 'routine',
      reason: 'Hip pain for months despite exercise',
      form: form.body.id,
    });
    const id = (created.body.serviceRequest as string).split('/')[1]!;
    await h.api(GP, 'POST', `/api/referrals/referrals/${id}/shortlist`);
    const sent = await h.api(GP, 'POST', `/api/referrals/referrals/${id}/send`, {
      serviceId: 'svc-msk',
      action: 'book',
    });
    expect(sent.body.businessStatus, JSON.stringify(sent.body)).toBe('booked');
    const listed = async (name: string, actor = TRIAGER) =>
      ((await h.api(actor, 'GET', `/api/referrals/worklists/${name}`)).body.items as { task: string }[]).map(
        (i) => i.task,
      );
    expect(await listed('booked')).toContain(sent.body.task);
    const came = await h.api(
      TRIAGER,
      'POST',
      `/api/referrals/${sent.body.task.replace('Task/', 'tasks/')}/attendance`,
      {
        outcome: 'attended',
      },
    );
    expect(came.status, JSON.stringify(came.body)).toBe(200);
    expect(await listed('booked')).not.toContain(sent.body.task);
    expect(await listed('attended')).toContain(sent.body.task);
    expect(await listed('attended', OTHER_GP)).toEqual([]);
  });
});
