/**
 * Attack angles on notifications: nobody reads or marks another person's items, nobody is told
 * about a patient or record they may not see (no Communication, no inbox words, no text), texts
 * never carry clinical detail or names, and the inbox re-checks access each time it is read.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ACTORS } from '../access/testing/scenario.ts';
import { eventually } from '../events/testing.ts';
import { HIDDEN_ITEM } from './texts.ts';
import { inboxTestApp, textsAbout, type InboxTestApp } from './testing/fixtures.ts';
import type { NotifyInput } from './types.ts';

let app: InboxTestApp;
const { gp, nurse, acute, carer, patient1, patient2 } = ACTORS;
const GP = `Practitioner/${gp.practitionerId}`;

const note = (overrides: Partial<NotifyInput> = {}): NotifyInput => ({
  kind: 'result',
  category: 'result',
  priority: 'urgent',
  recipient: GP,
  subject: 'Patient/p1',
  about: 'Condition/p1-gp-cond',
  title: 'Result for One',
  text: 'Hypertension: blood pressure 182/110. Start amlodipine.',
  ...overrides,
});

/** Everything that would have told `recipient` anything. */
async function traces(recipient: string): Promise<{ communications: number; inbox: number; texts: number }> {
  const communications = await app.t.fhir('GET', `Communication?recipient=${recipient}&_summary=count`);
  const [inbox] = await app.t.platform.db.query<{ n: number }>(
    `select count(*)::int as n from notification where recipient = $1 and status = 'sent'`,
    [recipient],
  );
  const [texts] = await app.t.platform.db.query<{ n: number }>(
    `select count(*)::int as n from sms_message m join notification n on m.reference = 'Communication/' || n.id
      where n.recipient = $1`,
    [recipient],
  );
  return { communications: communications.body.total as number, inbox: inbox!.n, texts: texts!.n };
}

beforeAll(async () => {
  app = await inboxTestApp();
  // Everyone who is asked wants results by text, at once, on a number we know.
  for (const [actor, phone] of [
    [gp, '07700 900111'],
    [acute, '07700 900444'],
    [carer, '07700 900555'],
    [patient1, '07700 900666'],
  ] as const) {
    const saved = await app.api(actor, 'PUT', '/api/notifications/preferences', {
      kinds: [{ kind: 'result', channels: ['inbox', 'sms'], delivery: 'immediate' }],
      phone,
    });
    expect(saved.status).toBe(200);
  }
});
afterAll(async () => app?.close());

describe("someone else's notifications", () => {
  test('marking another person’s item is 404, like an unknown id, and the attempt is audited', async () => {
    const { id } = await app.notifications.notify(note());
    for (const path of ['read', 'acknowledge']) {
      const response = await app.api(nurse, 'POST', `/api/notifications/${id}/${path}`);
      expect(response.status).toBe(404);
      expect(response.body.resourceType).toBe('OperationOutcome');
      const unknown = await app.api(nurse, 'POST', `/api/notifications/no-such-id/${path}`);
      expect(unknown.status).toBe(404);
      expect(unknown.body.issue[0].code).toBe(response.body.issue[0].code);
    }
    const denied = await app.t.platform.db.query<{ n: number }>(
      `select count(*)::int as n from audit_log where decision = 'deny' and actor->>'userId' = $1 and $2 = any(resource_refs)`,
      [nurse.userId, `Communication/${id}`],
    );
    expect(denied[0]!.n).toBe(2);
    const inbox = await app.api(nurse, 'GET', '/api/notifications?count=200');
    expect(inbox.body.items.map((i: { id: string }) => i.id)).not.toContain(id);
    // The GP's item is untouched.
    const own = await app.api(gp, 'GET', '/api/notifications?status=unread&count=200');
    expect(own.body.items.map((i: { id: string }) => i.id)).toContain(id);
  });

  test("one patient cannot see or mark another's; a patient sees their own", async () => {
    const sent = await app.notifications.notify(
      note({ recipient: 'Patient/p1', title: 'Your result', text: 'Your blood pressure result is ready.' }),
    );
    expect(sent.status).toBe('sent');
    const own = await app.api(patient1, 'GET', '/api/notifications');
    expect(own.body.items[0]).toMatchObject({ id: sent.id, text: 'Your blood pressure result is ready.' });
    expect((await app.api(patient2, 'POST', `/api/notifications/${sent.id}/read`)).status).toBe(404);
    expect((await app.api(patient2, 'GET', '/api/notifications')).body).toEqual({ unread: 0, items: [] });
  });

  test('a system client has no inbox (403) and no one signed in gets 401', async () => {
    const system = await app.t.app.inject({ method: 'GET', url: '/api/notifications' });
    expect(system.statusCode).toBe(403);
    const anonymous = await app.t.app.inject({
      method: 'GET',
      url: '/api/notifications',
      headers: { authorization: '' },
    });
    expect(anonymous.statusCode).toBe(401);
  });
});

describe('nobody is told about what they may not see', () => {
  test.each([
    ['a clinician with no relationship to the patient', note({ recipient: `Practitioner/${acute.practitionerId}` })],
    ['the GP, about a patient of another practice', note({ subject: 'Patient/p3', about: 'Condition/p3-cond' })],
    ['the GP, about a sexual-health record they may not see', note({ about: 'Observation/p1-acute-sex' })],
    ['a carer, about a condition the patient has not shared', note({ recipient: 'RelatedPerson/rp1' })],
    ['a member of staff with no account', note({ recipient: 'Practitioner/pr-po-acute' })],
    ['someone not in the record', note({ recipient: 'Practitioner/nobody' })],
  ])('%s: refused, with no Communication, inbox words or text', async (_name, input) => {
    // Earlier tests' texts settle first, so that anything new is this test's.
    await eventually(
      async () =>
        (await app.t.platform.db.query(`select 1 from notification_delivery where status = 'pending'`)).length === 0,
    );
    const before = await traces(input.recipient);
    const outcome = await app.notifications.notify(input);
    expect(outcome.status).toBe('refused');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await traces(input.recipient)).toEqual(before);
    expect((await app.t.fhir('GET', `Communication/${outcome.id}`)).status).toBe(404);
    expect(await textsAbout(app.t, outcome.id)).toEqual([]);
    // The refusal is kept for the module to see, without the words.
    const [row] = await app.t.platform.db.query<{
      status: string;
      reason: string;
      title: string | null;
      body: string | null;
    }>(`select status, reason, title, body from notification where id = $1`, [outcome.id]);
    expect(row).toMatchObject({ status: 'refused', title: null, body: null });
    expect(row!.reason).toMatch(/may not see|cannot be established/);
  });

  test('a carer is told about what the patient shares with them', async () => {
    const sent = await app.notifications.notify(
      note({ recipient: 'RelatedPerson/rp1', about: 'MedicationRequest/p1-gp-med', text: 'Repeat ready to collect.' }),
    );
    expect(sent.status).toBe('sent');
    const inbox = await app.api(carer, 'GET', '/api/notifications');
    expect(inbox.body.items[0]).toMatchObject({ id: sent.id, text: 'Repeat ready to collect.' });
  });

  test('the inbox re-checks access when read: an item the reader can no longer see shows nothing', async () => {
    // As if access had been withdrawn since: an item about a record the GP may not see now.
    await app.t.platform.db.query(
      `insert into notification (id, kind, category, priority, recipient, patient_id, status, subject, subject_display,
         about, about_display, title, body) values ('gone-1', 'result', 'result', 'urgent', $1, 'p1', 'sent',
         'Patient/p1', 'One', 'Observation/p1-acute-sex', 'Chlamydia test', 'Chlamydia positive', 'Treat and trace.')`,
      [GP],
    );
    const inbox = await app.api(gp, 'GET', '/api/notifications?count=200');
    const item = inbox.body.items.find((i: { id: string }) => i.id === 'gone-1');
    expect(item).toEqual({
      id: 'gone-1',
      kind: 'result',
      category: { code: 'result', display: 'Result' },
      priority: 'urgent',
      title: HIDDEN_ITEM,
      text: HIDDEN_ITEM,
      sentAt: expect.any(String),
    });
    expect(JSON.stringify(inbox.body)).not.toMatch(/Chlamydia|Treat and trace|p1-acute-sex/);
    const marked = await app.api(gp, 'POST', '/api/notifications/gone-1/read');
    expect(marked.body.title).toBe(HIDDEN_ITEM);
    expect(JSON.stringify(marked.body)).not.toMatch(/Chlamydia/);
  });
});

describe('texts carry no clinical detail', () => {
  test('the inbox text never goes by SMS; a text naming the patient or a value becomes the generic one', async () => {
    const plain = await app.notifications.notify(note());
    const named = await app.notifications.notify(note({ smsText: 'CareWeave: One has a high blood pressure result' }));
    const numbered = await app.notifications.notify(note({ smsText: 'CareWeave: result for patient p1, 182/110' }));
    for (const { id } of [plain, named, numbered]) {
      await eventually(async () => (await textsAbout(app.t, id)).length === 1);
    }
    const bodies = await Promise.all(
      [plain, named, numbered].map(async ({ id }) => (await textsAbout(app.t, id))[0]!.body),
    );
    expect(new Set(bodies)).toEqual(new Set(['You have a new urgent CareWeave notification. Sign in to see it.']));
    for (const { id } of [plain, named, numbered]) {
      const [text] = await textsAbout(app.t, id);
      expect(text!.body).not.toMatch(/Hypertension|amlodipine|\bOne\b|\d/);
    }
  });
});
