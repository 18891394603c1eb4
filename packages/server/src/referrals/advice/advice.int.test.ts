/**
 * Advice and guidance end to end (PGlite and PostgreSQL): the GP asks, the provider asks for more, the
 * GP replies, the provider answers, the GP closes with the referral avoided; a second conversation is
 * proposed for a referral, declined, proposed again and accepted (a referral draft that keeps the
 * priority, based on the request); due times, the worklist, notifications, attachments, FHIR operations.
 */
import type { Communication, ServiceRequest, Task } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LifecycleTestApp } from '../lifecycle/testing/fixtures.ts';
import { GP, PATIENT, TRIAGER } from '../lifecycle/testing/fixtures.ts';
import { adviceTestApp, EXE, PNG, SERVICE } from './testing/fixtures.ts';

let h: LifecycleTestApp;
beforeAll(async () => {
  h = await adviceTestApp();
}, 120_000);
afterAll(async () => h?.close());

const read = async <T>(type: string, id: string): Promise<T> =>
  JSON.parse((await h.t.platform.resources.read(type, id)).json ?? '{}') as T;
const idOf = (reference: string) => reference.split('/')[1]!;
const ask = (body: Record<string, unknown> = {}) =>
  h.api(GP, 'POST', '/api/referrals/advice', {
    patientId: PATIENT,
    serviceId: SERVICE,
    question: 'Knee pain with an effusion for six weeks: aspirate, image or refer?',
    ...body,
  });

describe('a conversation that avoids a referral', () => {
  let task: string;

  it('the GP asks: the request, the provider’s Task due in two working days, the first message', async () => {
    const asked = await ask({ attachments: [{ contentType: 'image/png', data: PNG, title: 'knee.png' }] });
    expect(asked.status, JSON.stringify(asked.body)).toBe(201);
    expect(asked.body).toMatchObject({
      status: 'awaiting-advice',
      side: 'requester',
      overdue: false,
      priority: 'routine',
    });
    expect(asked.body.actions).toEqual(['reply', 'close']);
    task = idOf(asked.body.task);
    const stored = await read<Task>('Task', task);
    expect(stored.owner?.reference).toBe('Organization/org-acute');
    expect(stored.meta?.source).toMatch(/Organization\/org-acute$/);
    const due = new Date(stored.restriction!.period!.end!).getTime() - new Date(stored.authoredOn!).getTime();
    expect(due).toBeGreaterThanOrEqual(2 * 86_400_000);
    expect(due).toBeLessThanOrEqual(4 * 86_400_000);
    const request = await read<ServiceRequest>('ServiceRequest', idOf(asked.body.serviceRequest));
    expect(request.status).toBe('active');
    expect(asked.body.messages).toHaveLength(1);
    expect(asked.body.messages[0]).toMatchObject({ kind: 'request', side: 'requester' });
    expect(asked.body.messages[0].attachments).toEqual([
      { index: 0, title: 'knee.png', contentType: 'image/png', size: 12 },
    ]);
  });

  it('is on the provider’s advice-requests worklist and advice list, with its due time', async () => {
    const list = await h.api(TRIAGER, 'GET', '/api/referrals/worklists/advice-requests');
    expect(list.status).toBe(200);
    expect(list.body.items.find((i: { task: string }) => i.task === `Task/${task}`)).toMatchObject({
      kind: 'advice',
      overdue: false,
      patient: { id: PATIENT, nhsNumber: '9434765919' },
    });
    const own = await h.api(TRIAGER, 'GET', '/api/referrals/advice?side=provider');
    expect(own.body.items.map((i: { task: string }) => i.task)).toContain(`Task/${task}`);
  });

  it('the provider downloads the attachment as it was sent', async () => {
    const thread = await h.api(TRIAGER, 'GET', `/api/referrals/advice/${task}`);
    const message = thread.body.messages[0].id as string;
    const response = await h.t.app.inject({
      method: 'GET',
      url: `/api/referrals/advice/${task}/messages/${message}/attachments/0`,
      headers: { authorization: `Bearer ${await tokenFor(TRIAGER)}` },
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('image/png');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.rawPayload.toString('base64')).toBe(PNG);
  });

  it('the provider asks for more; the GP is notified and replies, which restarts the clock', async () => {
    const asked = await h.api(TRIAGER, 'POST', `/api/referrals/advice/${task}/messages`, {
      kind: 'question',
      text: 'Is the knee hot? Any fever?',
    });
    expect(asked.status, JSON.stringify(asked.body)).toBe(200);
    expect(asked.body).toMatchObject({ status: 'information-requested', side: 'provider' });
    expect(asked.body.firstResponseAt).toBeDefined();
    const inbox = await h.api(GP, 'GET', '/api/notifications?status=all&count=50');
    expect(
      inbox.body.items.some((i: { about?: { reference?: string } }) => i.about?.reference === `Task/${task}`),
    ).toBe(true);
    const replied = await h.api(GP, 'POST', `/api/referrals/advice/${task}/messages`, {
      kind: 'reply',
      text: 'Not hot, no fever; CRP normal.',
    });
    expect(replied.body.status).toBe('awaiting-advice');
    const tellsConsultant = await h.api(TRIAGER, 'GET', '/api/notifications?status=all&count=50');
    expect(
      tellsConsultant.body.items.some((i: { about?: { reference?: string } }) => i.about?.reference === `Task/${task}`),
    ).toBe(true);
  });

  it('the wrong side, or the wrong moment, is refused', async () => {
    expect(
      (await h.api(GP, 'POST', `/api/referrals/advice/${task}/messages`, { kind: 'answer', text: 'x y' })).status,
    ).toBe(403);
    expect((await h.api(TRIAGER, 'POST', `/api/referrals/advice/${task}/close`, { outcome: 'other' })).status).toBe(
      403,
    );
    const early = await h.api(GP, 'POST', `/api/referrals/advice/${task}/messages`, { kind: 'accept-referral' });
    expect(early.status).toBe(409);
    expect(early.body.resourceType).toBe('OperationOutcome');
  });

  it('the provider answers; the GP closes with the referral avoided, coded in the Task output', async () => {
    const answered = await h.api(TRIAGER, 'POST', `/api/referrals/advice/${task}/messages`, {
      kind: 'answer',
      text: 'Likely osteoarthritic effusion: aspirate in primary care, refer if it recurs.',
    });
    expect(answered.body.status).toBe('advice-given');
    const closed = await h.api(GP, 'POST', `/api/referrals/advice/${task}/close`, {
      outcome: 'referral-avoided',
      note: 'Aspirated at the practice',
    });
    expect(closed.status, JSON.stringify(closed.body)).toBe(200);
    expect(closed.body).toMatchObject({ status: 'closed', outcome: { code: 'referral-avoided' }, actions: [] });
    const stored = await read<Task>('Task', task);
    expect(stored.status).toBe('completed');
    expect(
      stored.output?.find((o) => o.type?.coding?.[0]?.code === 'advice-outcome')?.valueCodeableConcept?.coding?.[0],
    ).toMatchObject({ system: 'https://careweave.example/fhir/CodeSystem/advice-outcome', code: 'referral-avoided' });
    const request = await read<ServiceRequest>('ServiceRequest', idOf(closed.body.serviceRequest));
    expect(request.status).toBe('completed');
    // The provider's relationship through the request has ended (need to know).
    expect((await h.api(TRIAGER, 'GET', `/api/referrals/advice/${task}`)).status).toBe(404);
  });
});

describe('a conversation converted into a referral', () => {
  let task: string;

  it('proposed, declined, proposed again and accepted: a draft that keeps the more urgent priority', async () => {
    const asked = await ask({ priority: 'urgent', question: 'Hip pain at night with weight loss: how fast?' });
    task = idOf(asked.body.task);
    const propose = (priority: string) =>
      h.api(TRIAGER, 'POST', `/api/referrals/advice/${task}/messages`, {
        kind: 'propose-referral',
        priority,
        text: 'This needs to be seen in clinic with imaging.',
      });
    expect((await propose('routine')).body).toMatchObject({
      status: 'conversion-proposed',
      proposal: { priority: 'routine' },
    });
    const declined = await h.api(GP, 'POST', `/api/referrals/advice/${task}/messages`, {
      kind: 'decline-referral',
      text: 'The patient would rather wait for the X-ray first.',
    });
    expect(declined.body.status).toBe('advice-given');
    await propose('routine');
    const accepted = await h.api(GP, 'POST', `/api/referrals/advice/${task}/messages`, { kind: 'accept-referral' });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
    expect(accepted.body).toMatchObject({ status: 'closed', outcome: { code: 'referral-made' } });
    const referral = await read<ServiceRequest>('ServiceRequest', idOf(accepted.body.referral));
    expect(referral.status).toBe('draft');
    expect(referral.priority).toBe('urgent');
    expect(referral.basedOn?.[0]?.reference).toBe(asked.body.serviceRequest);
    expect(referral.reasonCode?.[0]?.text).toMatch(/imaging/);
    // The draft is a referral of the lifecycle: the GP goes on with it there.
    expect(
      (await h.api(GP, 'GET', `/api/referrals/${accepted.body.referral.replace('ServiceRequest', 'referrals')}`))
        .status,
    ).toBe(200);
  });
});

describe('what advice and guidance is not for', () => {
  it('a suspected cancer is a two-week-wait referral, never a question (400, H-234)', async () => {
    const refused = await ask({ priority: 'two-week-wait' });
    expect(refused.status).toBe(400);
    expect(refused.body.resourceType).toBe('OperationOutcome');
  });

  it('every message is about the request’s patient, whatever the client sends (H-231)', async () => {
    const asked = await ask();
    const task = idOf(asked.body.task);
    await h.api(TRIAGER, 'POST', `/api/referrals/advice/${task}/messages`, {
      kind: 'answer',
      text: 'Advice for this patient only.',
      subject: { reference: 'Patient/someone-else' },
    });
    const messages = await h.t.platform.resources.search('Communication', [['part-of', `Task/${task}`]]);
    const subjects = (messages.entry ?? []).map((e) => (e.resource as Communication).subject?.reference);
    expect(subjects).toHaveLength(2);
    expect(new Set(subjects)).toEqual(new Set([`Patient/${PATIENT}`]));
  });
});

describe('attachments', () => {
  it.each([
    ['an executable', { contentType: 'application/x-msdownload', data: EXE, title: 'scan.exe' }],
    ['an executable calling itself a PNG', { contentType: 'image/png', data: EXE, title: 'scan.png' }],
  ])('%s is refused with an OperationOutcome and nothing is stored', async (_what, attachment) => {
    const before = (await h.t.platform.resources.search('Task', [['_summary', 'count']])).total;
    const refused = await ask({ attachments: [attachment] });
    expect(refused.status).toBe(422);
    expect(refused.body.resourceType).toBe('OperationOutcome');
    expect(JSON.stringify(refused.body)).toMatch(/not allowed|not a image\/png/);
    expect((await h.t.platform.resources.search('Task', [['_summary', 'count']])).total).toBe(before);
  });

  it('is checked on a direct FHIR write of a message too', async () => {
    const asked = await ask();
    const refused = await h.fhirAs(GP, 'POST', 'Communication', {
      resourceType: 'Communication',
      status: 'completed',
      category: [
        {
          coding: [
            { system: 'https://careweave.example/fhir/CodeSystem/electronic-referral', code: 'advice-and-guidance' },
          ],
        },
      ],
      partOf: [{ reference: asked.body.task }],
      subject: { reference: `Patient/${PATIENT}` },
      payload: [{ contentAttachment: { contentType: 'text/html', data: Buffer.from('<script>').toString('base64') } }],
    } satisfies Communication);
    expect(refused.status).toBe(422);
    expect(refused.body.resourceType).toBe('OperationOutcome');
  });
});

describe('FHIR operations', () => {
  it('$request-advice, $advice-message and $close-advice, with their OperationDefinitions', async () => {
    const asked = await h.fhirAs(GP, 'POST', `HealthcareService/${SERVICE}/$request-advice`, {
      resourceType: 'Parameters',
      parameter: [
        { name: 'patient', valueString: PATIENT },
        { name: 'question', valueString: 'Carpal tunnel symptoms: splint or refer for release?' },
      ],
    });
    expect(asked.status, JSON.stringify(asked.body)).toBe(200);
    const param = (
      body: { parameter: { name: string; valueCode?: string; valueReference?: { reference: string } }[] },
      name: string,
    ) => body.parameter.find((p) => p.name === name);
    expect(param(asked.body, 'businessStatus')?.valueCode).toBe('awaiting-advice');
    const task = param(asked.body, 'task')!.valueReference!.reference;
    const answered = await h.fhirAs(TRIAGER, 'POST', `${task}/$advice-message`, {
      resourceType: 'Parameters',
      parameter: [
        { name: 'kind', valueCode: 'answer' },
        { name: 'text', valueString: 'Night splints for six weeks, then refer if no better.' },
      ],
    });
    expect(param(answered.body, 'businessStatus')?.valueCode).toBe('advice-given');
    const closed = await h.fhirAs(GP, 'POST', `${task}/$close-advice`, {
      resourceType: 'Parameters',
      parameter: [{ name: 'outcome', valueCode: 'referral-avoided' }],
    });
    expect(param(closed.body, 'outcome')?.valueCode).toBe('referral-avoided');
    for (const id of ['HealthcareService-request-advice', 'Task-advice-message', 'Task-close-advice']) {
      expect((await h.fhirAs(GP, 'GET', `OperationDefinition/${id}`)).status).toBe(200);
    }
  });
});

async function tokenFor(actor: typeof GP): Promise<string> {
  const { actorClient } = await import('../../access/testing/actor-client.ts');
  return actorClient(h.t).tokenFor(actor);
}
