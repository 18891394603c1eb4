/**
 * Attacks with a valid account (PGlite and PostgreSQL): a GP of another practice and a clinician of an
 * unrelated organisation can neither read nor write into an advice conversation — every route and
 * operation answers 404 exactly as for an id that does not exist, the refusal is audited, and nothing
 * changes; a patient is refused (403); neither side may speak for the other (403).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTORS } from '../../access/testing/scenario.ts';
import type { UserActor } from '../../access/testing/actor-client.ts';
import { GP, OTHER_GP, PATIENT, THE_PATIENT, TRIAGER, type LifecycleTestApp } from '../lifecycle/testing/fixtures.ts';
import { adviceTestApp, PNG, SERVICE } from './testing/fixtures.ts';

let h: LifecycleTestApp;
let task: string;
let message: string;
beforeAll(async () => {
  h = await adviceTestApp();
  const asked = await h.api(GP, 'POST', '/api/referrals/advice', {
    patientId: PATIENT,
    serviceId: SERVICE,
    question: 'Recurrent gout despite allopurinol: what next?',
    attachments: [{ contentType: 'image/png', data: PNG, title: 'toe.png' }],
  });
  expect(asked.status, JSON.stringify(asked.body)).toBe(201);
  task = (asked.body.task as string).split('/')[1]!;
  message = asked.body.messages[0].id as string;
}, 120_000);
afterAll(async () => h?.close());

const version = async (): Promise<string> =>
  JSON.parse((await h.t.platform.resources.read('Task', task)).json ?? '{}').meta.versionId;
const denials = async (actor: UserActor): Promise<number> =>
  (
    await h.t.platform.db.query<{ n: number }>(
      `select count(*)::int as n from audit_log where decision = 'deny' and actor->>'userId' = $1 and $2 = any(resource_refs)`,
      [actor.userId, `Task/${task}`],
    )
  )[0]!.n;

const ROUTES = [
  ['GET', 'the thread', (id: string) => `/api/referrals/advice/${id}`],
  ['POST', 'a reply', (id: string) => `/api/referrals/advice/${id}/messages`],
  ['POST', 'an answer', (id: string) => `/api/referrals/advice/${id}/messages`],
  ['POST', 'a close', (id: string) => `/api/referrals/advice/${id}/close`],
  ['GET', 'an attachment', (id: string) => `/api/referrals/advice/${id}/messages/${message}/attachments/0`],
] as const;

describe.each([
  ['a GP of another practice', OTHER_GP],
  ['a clinician of an unrelated organisation', ACTORS.mhNurse],
])('%s', (_who, attacker) => {
  it.each(ROUTES)('%s %s answers 404 as for an unknown id, audited, and nothing changes', async (method, what, url) => {
    const body =
      what === 'a close'
        ? { outcome: 'referral-avoided' }
        : { kind: what === 'an answer' ? 'answer' : 'reply', text: 'Injected text' };
    const before = await version();
    const denied = await denials(attacker);
    const hidden = await h.api(attacker, method, url(task), method === 'POST' ? body : undefined);
    const absent = await h.api(attacker, method, url('no-such-task'), method === 'POST' ? body : undefined);
    expect(hidden.status).toBe(404);
    expect(absent.status).toBe(404);
    expect(hidden.body.resourceType).toBe('OperationOutcome');
    expect(hidden.body.issue[0].code).toBe(absent.body.issue[0].code);
    expect(await version()).toBe(before);
    expect(await denials(attacker)).toBeGreaterThan(denied);
  });

  it('cannot post through the operation or write a message into the thread directly', async () => {
    const before = await version();
    const op = await h.fhirAs(attacker, 'POST', `Task/${task}/$advice-message`, {
      resourceType: 'Parameters',
      parameter: [
        { name: 'kind', valueCode: 'reply' },
        { name: 'text', valueString: 'Injected' },
      ],
    });
    expect(op.status).toBe(404);
    const direct = await h.fhirAs(attacker, 'POST', 'Communication', {
      resourceType: 'Communication',
      status: 'completed',
      partOf: [{ reference: `Task/${task}` }],
      subject: { reference: `Patient/${PATIENT}` },
      payload: [{ contentString: 'Injected' }],
    });
    expect([403, 422]).toContain(direct.status);
    expect(await version()).toBe(before);
    const thread = await h.api(GP, 'GET', `/api/referrals/advice/${task}`);
    expect(JSON.stringify(thread.body)).not.toMatch(/Injected/);
  });

  it('sees nothing on the lists', async () => {
    for (const side of ['requester', 'provider']) {
      expect((await h.api(attacker, 'GET', `/api/referrals/advice?side=${side}`)).body.items).toEqual([]);
    }
    const worklist = await h.api(attacker, 'GET', '/api/referrals/worklists/advice-requests?side=provider');
    expect(worklist.body.items).toEqual([]);
  });
});

describe('others', () => {
  it('a patient is refused (403), and cannot ask on their own behalf', async () => {
    expect((await h.api(THE_PATIENT, 'GET', `/api/referrals/advice/${task}`)).status).toBe(403);
    const asked = await h.api(THE_PATIENT, 'POST', '/api/referrals/advice', {
      patientId: PATIENT,
      serviceId: SERVICE,
      question: 'Can I ask the consultant directly?',
    });
    expect(asked.status).toBe(403);
  });

  it('a GP cannot ask about a patient they may not see (404, as for an unknown patient)', async () => {
    const hidden = await h.api(OTHER_GP, 'POST', '/api/referrals/advice', {
      patientId: PATIENT,
      serviceId: SERVICE,
      question: 'Fishing for whether this patient exists',
    });
    const absent = await h.api(OTHER_GP, 'POST', '/api/referrals/advice', {
      patientId: 'no-such-patient',
      serviceId: SERVICE,
      question: 'Fishing for whether this patient exists',
    });
    expect(hidden.status).toBe(404);
    expect(absent.status).toBe(404);
  });

  it('the provider answers, but may not speak for the GP; the GP may not answer for the provider', async () => {
    expect(
      (await h.api(TRIAGER, 'POST', `/api/referrals/advice/${task}/messages`, { kind: 'reply', text: 'As the GP' }))
        .status,
    ).toBe(403);
    expect(
      (await h.api(GP, 'POST', `/api/referrals/advice/${task}/messages`, { kind: 'answer', text: 'As the consultant' }))
        .status,
    ).toBe(403);
  });

  it('no token is 401', async () => {
    const response = await h.t.app.inject({
      method: 'GET',
      url: `/api/referrals/advice/${task}`,
      headers: { authorization: 'Bearer nonsense' },
    });
    expect(response.statusCode).toBe(401);
  });
});
