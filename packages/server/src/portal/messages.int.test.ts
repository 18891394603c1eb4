/**
 * Messaging the practice from the portal (issue 10): a patient's non-urgent message reaches their GP
 * practice, the practice replies and the patient is told; a carer writes only when the patient lets
 * them see messages; nobody writes for, reads or replies to someone else's conversation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actorClient, diagnostics } from '../access/testing/actor-client.ts';
import { ACTORS, loadScenario } from '../access/testing/scenario.ts';
import { createTestApp, type TestApp } from '../testing/app.ts';
import { PRACTICE_MESSAGE_SYSTEM } from './messages.ts';

let t: TestApp;
let client: ReturnType<typeof actorClient>;

const parameters = (...parameter: object[]) => ({ resourceType: 'Parameters', parameter });
const text = (value: string) => ({ name: 'text', valueString: value });
const topic = (value: string) => ({ name: 'topic', valueString: value });
const thread = (id: string) => ({ name: 'thread', valueReference: { reference: `Communication/${id}` } });

beforeAll(async () => {
  t = await createTestApp();
  await loadScenario(t.platform.db, t.fhirBase);
  client = actorClient(t);
});
afterAll(async () => t.close());

async function inbox(actor: typeof ACTORS.patient1): Promise<{ items: { title: string; about?: string }[] }> {
  const token = await client.tokenFor(actor);
  const response = await t.app.inject({
    method: 'GET',
    url: '/api/notifications?status=all',
    headers: { authorization: `Bearer ${token}` },
  });
  expect(response.statusCode, response.body).toBe(200);
  return JSON.parse(response.body);
}

describe('messages between a patient and their GP practice', () => {
  let first: any;

  it('sends the patient’s message to the practice they are registered with', async () => {
    const sent = await client.as(
      ACTORS.patient1,
      'POST',
      'Patient/p1/$message-practice',
      parameters(text('My inhaler runs out next week: can I have a review?'), topic('Asthma review')),
    );
    expect(sent.status, diagnostics(sent)).toBe(201);
    first = sent.body;
    expect(first).toMatchObject({
      status: 'completed',
      priority: 'routine',
      subject: { reference: 'Patient/p1' },
      sender: { reference: 'Patient/p1' },
      recipient: [{ reference: 'Organization/org-gp' }],
      topic: { text: 'Asthma review' },
    });
    expect(first.category[0].coding[0].system).toBe(PRACTICE_MESSAGE_SYSTEM);
    const mine = await client.as(
      ACTORS.patient1,
      'GET',
      `Communication?category=${PRACTICE_MESSAGE_SYSTEM}|practice-message&patient=Patient/p1`,
    );
    expect(mine.body.entry.map((e: any) => e.resource.id)).toContain(first.id);
  });

  it('lets the practice read it and reply; the patient sees the reply and is told in their inbox', async () => {
    const atPractice = await client.as(
      ACTORS.gp,
      'GET',
      `Communication?recipient=Organization/org-gp&category=${PRACTICE_MESSAGE_SYSTEM}|practice-message`,
    );
    expect(atPractice.body.entry.map((e: any) => e.resource.id)).toContain(first.id);
    const reply = await client.as(
      ACTORS.gp,
      'POST',
      `Communication/${first.id}/$reply-to-patient`,
      parameters(text('Yes: please book a nurse asthma review this month.')),
    );
    expect(reply.status, diagnostics(reply)).toBe(201);
    expect(reply.body).toMatchObject({
      partOf: [{ reference: `Communication/${first.id}` }],
      recipient: [{ reference: 'Patient/p1' }],
      sender: { reference: `Practitioner/${ACTORS.gp.practitionerId}` },
    });
    const threadSeen = await client.as(ACTORS.patient1, 'GET', `Communication?part-of=Communication/${first.id}`);
    expect(threadSeen.body.entry.map((e: any) => e.resource.id)).toEqual([reply.body.id]);
    const items = (await inbox(ACTORS.patient1)).items;
    expect(items.map((i) => i.title)).toContain('Your GP practice has replied');
  });

  it('lets the patient follow up in the same conversation', async () => {
    const more = await client.as(
      ACTORS.patient1,
      'POST',
      'Patient/p1/$message-practice',
      parameters(text('Thank you, booked.'), thread(first.id)),
    );
    expect(more.status, diagnostics(more)).toBe(201);
    expect(more.body.partOf).toEqual([{ reference: `Communication/${first.id}` }]);
    expect(more.body.topic).toEqual({ text: 'Asthma review' });
  });

  it.each([
    ['another patient, for the patient', ACTORS.patient2, 'Patient/p1/$message-practice', [], 404],
    [
      'another patient, in the patient’s conversation',
      ACTORS.patient2,
      'Patient/p2/$message-practice',
      ['thread'],
      404,
    ],
    ['staff, as if a patient', ACTORS.gp, 'Patient/p1/$message-practice', [], 403],
    ['a carer whose permission does not cover messages', ACTORS.carer, 'Patient/p1/$message-practice', [], 403],
  ] as const)('refuses %s, and keeps nothing', async (_who, actor, path, extra, status) => {
    const before = await client.as(ACTORS.gp, 'GET', `Communication?patient=Patient/p1&_summary=count`);
    const attempt = await client.as(
      actor,
      'POST',
      path,
      parameters(text('Hello'), ...(extra.length ? [thread(first.id)] : [])),
    );
    expect(attempt.status, diagnostics(attempt)).toBe(status);
    const after = await client.as(ACTORS.gp, 'GET', `Communication?patient=Patient/p1&_summary=count`);
    expect(after.body.total).toBe(before.body.total);
  });

  it('does not let another patient read the conversation, or staff elsewhere reply to it', async () => {
    expect((await client.as(ACTORS.patient2, 'GET', `Communication/${first.id}`)).status).toBe(404);
    const elsewhere = await client.as(
      ACTORS.acute,
      'POST',
      `Communication/${first.id}/$reply-to-patient`,
      parameters(text('Hello from the hospital')),
    );
    expect([403, 404]).toContain(elsewhere.status);
    const byPatient = await client.as(
      ACTORS.patient1,
      'POST',
      `Communication/${first.id}/$reply-to-patient`,
      parameters(text('Replying to myself')),
    );
    expect(byPatient.status).toBe(403);
  });

  it('audits the attempts of another patient in the patient’s access log (messages and the pharmacy)', async () => {
    const refusedBy = async (who: string) => {
      const log = await t.fhir('GET', 'Patient/p1/$access-log?_count=1000');
      expect(log.status).toBe(200);
      return (log.body.entry ?? [])
        .map((e: any) => e.resource)
        .filter((e: any) => e.outcome === '4' && e.agent?.some((a: any) => a.who?.reference === who)).length;
    };
    const before = await refusedBy('Patient/p2');
    const message = await client.as(ACTORS.patient2, 'POST', 'Patient/p1/$message-practice', parameters(text('Hi')));
    expect(message.status).toBe(404);
    const pharmacy = await client.as(
      ACTORS.patient2,
      'POST',
      'Patient/p1/$nominate-pharmacy',
      parameters({ name: 'pharmacy', valueReference: { reference: 'Organization/org-gp' } }),
    );
    expect(pharmacy.status).toBe(404);
    expect(await refusedBy('Patient/p2')).toBe(before + 2);
  });

  it('refuses an empty or overlong message', async () => {
    const empty = await client.as(ACTORS.patient1, 'POST', 'Patient/p1/$message-practice', parameters(text('  ')));
    expect(empty.status).toBe(400);
    const long = await client.as(
      ACTORS.patient1,
      'POST',
      'Patient/p1/$message-practice',
      parameters(text('x'.repeat(2001))),
    );
    expect(long.status).toBe(400);
  });
});
