/**
 * The referral lifecycle end to end (PGlite and PostgreSQL), as real people through the API: a GP
 * drafts, shortlists and sends; the acute trust triages, returns with advice (the patient's letter),
 * books; the slot-issues list when no slot is inside the window; forms and red flags are enforced.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isUbrn } from './rules.ts';
import {
  CLERK,
  COMMISSIONER,
  GP,
  lifecycleTestApp,
  PATIENT,
  THE_PATIENT,
  TRIAGER,
  type LifecycleTestApp,
} from './testing/fixtures.ts';

let h: LifecycleTestApp;
beforeAll(async () => {
  h = await lifecycleTestApp();
}, 120_000);
afterAll(async () => h?.close());

const answers = (items: Record<string, unknown>) =>
  Object.entries(items).map(([linkId, value]) => ({
    linkId,
    answer: [
      typeof value === 'boolean'
        ? { valueBoolean: value }
        : typeof value === 'object'
          ? { valueCoding: value }
          : { valueString: value },
    ],
  }));

async function form(specialty: string, items: Record<string, unknown>): Promise<string> {
  const created = await h.fhirAs(GP, 'POST', 'QuestionnaireResponse', {
    resourceType: 'QuestionnaireResponse',
    status: 'completed',
    questionnaire: `https://careweave.example/fhir/Questionnaire/referral-form-${specialty}|1.0.0`,
    subject: { reference: `Patient/${PATIENT}` },
    item: answers(items),
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body.id as string;
}

const MSK = {
  reason: 'Right knee pain for 5 months despite physiotherapy',
  duration: { code: '3-to-12-months' },
  'tried-physiotherapy': true,
};

async function drafted(specialty: string, priority: string, formId?: string): Promise<string> {
  const draft = await h.api(GP, 'POST', '/api/referrals/referrals', {
    patientId: PATIENT,
    specialty,
    priority,
    reason: 'Persistent symptoms needing a specialist opinion',
    ...(formId ? { form: formId } : {}),
  });
  expect(draft.status, JSON.stringify(draft.body)).toBe(201);
  const id = (draft.body.serviceRequest as string).split('/')[1]!;
  const shortlist = await h.api(GP, 'POST', `/api/referrals/referrals/${id}/shortlist`);
  expect(shortlist.status, JSON.stringify(shortlist.body)).toBe(200);
  return id;
}

describe('sending a referral', () => {
  it('shortlists only eligible services, at most five, and records them on the request', async () => {
    const id = await drafted('msk', 'routine', await form('msk', MSK));
    const view = await h.api(GP, 'GET', `/api/referrals/referrals/${id}`);
    expect(view.body.status).toBe('draft');
    expect(view.body.shortlist).toEqual(['svc-msk', 'svc-msk-ras', 'svc-cardio']);
  });

  it('books now into the first slot inside the window, with a UBRN and a one-time letter password', async () => {
    const id = await drafted('msk', 'routine', await form('msk', MSK));
    const sent = await h.api(GP, 'POST', `/api/referrals/referrals/${id}/send`, {
      serviceId: 'svc-msk',
      action: 'book',
    });
    expect(sent.status, JSON.stringify(sent.body)).toBe(200);
    expect(sent.body.businessStatus).toBe('booked');
    expect(isUbrn(sent.body.ubrn)).toBe(true);
    expect(sent.body.letterPassword).toMatch(/^[a-z2-9]{8}$/);
    expect(sent.body.appointment).toMatch(/^Appointment\//);
    const password = sent.body.letterPassword as string;
    // The password is never shown again: not on the referral, its Task, or any list.
    const again = await h.api(GP, 'GET', `/api/referrals/referrals/${id}`);
    const sr = await h.fhirAs(GP, 'GET', `ServiceRequest/${id}`);
    const task = await h.fhirAs(TRIAGER, 'GET', sent.body.task);
    const lists = await Promise.all(
      ['awaiting-booking', 'slot-issues', 'for-review'].map((name) =>
        h.api(TRIAGER, 'GET', `/api/referrals/worklists/${name}`),
      ),
    );
    for (const shown of [again, sr, task, ...lists]) {
      expect(JSON.stringify(shown.body)).not.toContain(password);
    }
    expect(sr.body.status).toBe('active');
    expect(sr.body.identifier[0].value).toBe(sent.body.ubrn);
  });

  it('refuses a service the patient was not offered, and a second send', async () => {
    const id = await drafted('msk', 'routine', await form('msk', MSK));
    expect(
      (await h.api(GP, 'POST', `/api/referrals/referrals/${id}/send`, { serviceId: 'svc-closed', action: 'defer' }))
        .status,
    ).toBe(422);
    expect(
      (await h.api(GP, 'POST', `/api/referrals/referrals/${id}/send`, { serviceId: 'svc-msk-ras', action: 'book' }))
        .status,
    ).toBe(422);
    expect(
      (await h.api(GP, 'POST', `/api/referrals/referrals/${id}/send`, { serviceId: 'svc-msk', action: 'defer' }))
        .status,
    ).toBe(200);
    expect(
      (await h.api(GP, 'POST', `/api/referrals/referrals/${id}/send`, { serviceId: 'svc-msk', action: 'defer' }))
        .status,
    ).toBe(409);
  });

  it.each([
    ['no form attached', undefined, 422, 'Complete and attach'],
    [
      'a required answer missing',
      { reason: 'Knee pain for months, no better' },
      400,
      'tried-physiotherapy is required',
    ],
    ['a choice not on the form', { ...MSK, duration: { code: 'forever' } }, 400, 'must be one of'],
    ['a red flag answered yes on a routine referral', { ...MSK, 'red-flag-mass': true }, 422, 'two-week-wait'],
  ])('refuses to send with %s', async (_case, items, status, message) => {
    const id = await drafted('msk', 'routine', items ? await form('msk', items) : undefined);
    const sent = await h.api(GP, 'POST', `/api/referrals/referrals/${id}/send`, {
      serviceId: 'svc-msk',
      action: 'defer',
    });
    expect(sent.status).toBe(status);
    expect(sent.body.resourceType).toBe('OperationOutcome');
    expect(JSON.stringify(sent.body)).toContain(message);
    expect((await h.fhirAs(GP, 'GET', `ServiceRequest/${id}`)).body.status).toBe('draft');
  });
});

describe('slot issues', () => {
  it('puts an urgent referral with no slot inside its window on the slot-issues lists', async () => {
    const id = await drafted(
      'cardiology',
      'urgent',
      await form('cardiology', { reason: 'Breathless on exertion with a murmur', 'ecg-done': true }),
    );
    const sent = await h.api(GP, 'POST', `/api/referrals/referrals/${id}/send`, {
      serviceId: 'svc-cardio',
      action: 'book',
    });
    expect(sent.status, JSON.stringify(sent.body)).toBe(200);
    expect(sent.body.businessStatus).toBe('slot-issue');
    expect(sent.body.slotIssue).toBe(true);
    expect(sent.body.appointment).toBeUndefined();
    const provider = await h.api(TRIAGER, 'GET', '/api/referrals/worklists/slot-issues?priority=urgent');
    expect(provider.body.items.map((i: { serviceRequest: string }) => i.serviceRequest)).toContain(
      `ServiceRequest/${id}`,
    );
    const item = provider.body.items.find(
      (i: { serviceRequest: string }) => i.serviceRequest === `ServiceRequest/${id}`,
    );
    expect(item.patient.name).toBe('Margaret Ashcroft');
    expect(item.waitingDays).toBe(0);
    const referrer = await h.api(GP, 'GET', '/api/referrals/worklists/slot-issues');
    expect(referrer.body.items.map((i: { serviceRequest: string }) => i.serviceRequest)).toContain(
      `ServiceRequest/${id}`,
    );
    const summary = await h.api(COMMISSIONER, 'GET', '/api/referrals/slot-issues/summary');
    expect(summary.status).toBe(200);
    expect(summary.body.services).toContainEqual(
      expect.objectContaining({ service: 'Cardiology clinic (long wait)', priority: 'urgent' }),
    );
    expect(JSON.stringify(summary.body)).not.toContain(PATIENT);
    expect((await h.api(GP, 'GET', '/api/referrals/slot-issues/summary')).status).toBe(403);
  });
});

describe('triage', () => {
  it('returns a referral with advice: the patient gets a plain-English letter, the GP keeps it until they act', async () => {
    const id = await drafted('msk', 'routine', await form('msk', MSK));
    const sent = await h.api(GP, 'POST', `/api/referrals/referrals/${id}/send`, {
      serviceId: 'svc-msk-ras',
      action: 'triage',
    });
    expect(sent.body.businessStatus).toBe('for-review');
    const taskId = (sent.body.task as string).split('/')[1]!;
    const review = await h.api(TRIAGER, 'GET', '/api/referrals/worklists/for-review');
    expect(review.body.items.map((i: { task: string }) => i.task)).toContain(sent.body.task);

    const advice = 'Try a 12-week supervised exercise programme and weight management before re-referring.';
    const wrong = await h.api(TRIAGER, 'POST', `/api/referrals/tasks/${taskId}/triage`, {
      decision: 'return',
      reason: 'criteria-not-met',
      advice,
    });
    expect(wrong.status).toBe(400);
    const returned = await h.api(TRIAGER, 'POST', `/api/referrals/tasks/${taskId}/triage`, {
      decision: 'return',
      reason: 'manage-in-primary-care',
      advice,
    });
    expect(returned.status, JSON.stringify(returned.body)).toBe(200);
    expect(returned.body.businessStatus).toBe('returned-with-advice');
    // Decided once: a second decision is refused (the patient's other referrals keep the trust's view open).
    expect((await h.api(TRIAGER, 'POST', `/api/referrals/tasks/${taskId}/triage`, { decision: 'accept' })).status).toBe(
      409,
    );

    const letters = await h.fhirAs(THE_PATIENT, 'GET', `Communication?subject=Patient/${PATIENT}`);
    const letter = letters.body.entry
      .map((e: { resource: any }) => e.resource)
      .find((c: any) => c.basedOn?.[0]?.reference === `ServiceRequest/${id}`);
    expect(letter.payload[0].contentString).toContain('Dear Mrs Margaret Ashcroft');
    expect(letter.payload[0].contentString).toContain('advice on how to look after your condition');
    expect(letter.payload[0].contentString).not.toContain(advice);

    const held = await h.api(GP, 'GET', '/api/referrals/worklists/rejected-or-returned');
    const item = held.body.items.find((i: { serviceRequest: string }) => i.serviceRequest === `ServiceRequest/${id}`);
    expect(item).toMatchObject({ needsReferrerAction: true, businessStatus: 'returned-with-advice' });
    expect(item.outcome).toEqual({ reason: 'manage-in-primary-care', text: advice });

    expect((await h.api(GP, 'POST', `/api/referrals/referrals/${id}/acknowledge`, { action: 'close' })).status).toBe(
      200,
    );
    const after = await h.api(GP, 'GET', '/api/referrals/worklists/rejected-or-returned');
    expect(after.body.items.map((i: { serviceRequest: string }) => i.serviceRequest)).not.toContain(
      `ServiceRequest/${id}`,
    );
  });

  it('accepts, then the booking clerk books, attendance is recorded and the patient discharged', async () => {
    const id = await drafted('msk', 'routine', await form('msk', MSK));
    const sent = await h.api(GP, 'POST', `/api/referrals/referrals/${id}/send`, {
      serviceId: 'svc-msk-ras',
      action: 'triage',
    });
    const taskId = (sent.body.task as string).split('/')[1]!;
    const accepted = await h.fhirAs(TRIAGER, 'POST', `Task/${taskId}/$triage-referral`, {
      resourceType: 'Parameters',
      parameter: [{ name: 'decision', valueCode: 'accept' }],
    });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
    expect(accepted.body.businessStatus.coding[0].code).toBe('awaiting-booking');
    const awaiting = await h.api(CLERK, 'GET', '/api/referrals/worklists/awaiting-booking');
    expect(awaiting.body.items.map((i: { task: string }) => i.task)).toContain(`Task/${taskId}`);
    const booked = await h.api(CLERK, 'POST', `/api/referrals/tasks/${taskId}/book`, {});
    expect(booked.status, JSON.stringify(booked.body)).toBe(200);
    expect(booked.body.businessStatus).toBe('booked');
    expect(
      (await h.api(CLERK, 'POST', `/api/referrals/tasks/${taskId}/discharge`, { summary: 'Seen in clinic' })).status,
    ).toBe(409);
    const dna = await h.api(TRIAGER, 'POST', `/api/referrals/tasks/${taskId}/attendance`, {
      outcome: 'did-not-attend',
    });
    expect(dna.body.businessStatus).toBe('did-not-attend');
    const gpDna = await h.api(GP, 'GET', '/api/referrals/worklists/did-not-attend');
    expect(gpDna.body.items.map((i: { task: string }) => i.task)).toContain(`Task/${taskId}`);
    const discharged = await h.api(TRIAGER, 'POST', `/api/referrals/tasks/${taskId}/discharge`, {
      summary: 'Did not attend twice; discharged to the GP',
    });
    expect(discharged.body).toMatchObject({ status: 'completed', businessStatus: 'discharged' });
  });
});
