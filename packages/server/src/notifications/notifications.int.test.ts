/**
 * The notifications service and inbox as real people use them: a module notifies the GP, the
 * Communication is in the record (audited as the module), the GP's inbox shows it and a text goes to
 * their mobile; preferences, quiet hours, digests, and a rolled-back notify telling nobody.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ACTORS } from '../access/testing/scenario.ts';
import { eventually } from '../events/testing.ts';
import { DELIVER_QUEUE } from './notification.service.ts';
import { GP_MOBILE, inboxTestApp, textsAbout, type InboxTestApp } from './testing/fixtures.ts';
import type { NotifyInput } from './types.ts';

let app: InboxTestApp;
const { gp } = ACTORS;

const result = (overrides: Partial<NotifyInput> = {}): NotifyInput => ({
  kind: 'result',
  category: 'result',
  priority: 'routine',
  recipient: `Practitioner/${gp.practitionerId}`,
  subject: 'Patient/p1',
  about: 'Condition/p1-gp-cond',
  title: 'New result for One',
  text: 'Hypertension review: blood pressure 182/110.',
  ...overrides,
});

/** The GP's result notifications by text message, immediately, with no quiet hours. */
async function resultsByText(extra: Record<string, unknown> = {}): Promise<void> {
  const saved = await app.api(gp, 'PUT', '/api/notifications/preferences', {
    kinds: [{ kind: 'result', channels: ['inbox', 'sms'], delivery: 'immediate' }],
    quietHours: null,
    digestTime: '08:00',
    ...extra,
  });
  expect(saved.status, JSON.stringify(saved.body)).toBe(200);
}

beforeAll(async () => {
  app = await inboxTestApp();
});
afterAll(async () => app?.close());

describe('notify', () => {
  test('writes a Communication as module:notifications, an inbox item, and queues a minimal text', async () => {
    await resultsByText();
    const sent = await app.notifications.notify(result());
    expect(sent).toMatchObject({ status: 'sent', channels: ['inbox', 'sms'] });
    const id = sent.id;

    const stored = await app.t.fhir('GET', `Communication/${id}`);
    expect(stored.status).toBe(200);
    expect(stored.body).toMatchObject({
      status: 'completed',
      priority: 'routine',
      category: [{ coding: [{ code: 'result' }] }],
      subject: { reference: 'Patient/p1' },
      recipient: [{ reference: `Practitioner/${gp.practitionerId}` }],
      about: [{ reference: 'Condition/p1-gp-cond' }],
      payload: [{ contentString: 'Hypertension review: blood pressure 182/110.' }],
    });
    const audit = await app.t.platform.db.query<{ n: number }>(
      `select count(*)::int as n from audit_log where actor->>'clientId' = 'module:notifications' and $1 = any(resource_refs)`,
      [`Communication/${id}`],
    );
    expect(audit[0]!.n).toBe(1);

    const inbox = await app.api(gp, 'GET', '/api/notifications');
    expect(inbox.status).toBe(200);
    expect(inbox.body.items[0]).toMatchObject({
      id,
      kind: 'result',
      category: { code: 'result', display: 'Result' },
      priority: 'routine',
      title: 'New result for One',
      text: 'Hypertension review: blood pressure 182/110.',
      subject: { reference: 'Patient/p1', display: 'One' },
      about: { reference: 'Condition/p1-gp-cond', display: 'Hypertension' },
    });
    expect(inbox.body.items[0].readAt).toBeUndefined();
    expect(inbox.body.unread).toBeGreaterThanOrEqual(1);

    await eventually(async () => (await textsAbout(app.t, id)).some((m) => m.status === 'sent'));
    const [text] = await textsAbout(app.t, id);
    expect(text).toMatchObject({ phone: GP_MOBILE, body: 'You have a new CareWeave notification. Sign in to see it.' });
  });

  test('read and acknowledge mark the item once; the unread count follows', async () => {
    const { id } = await app.notifications.notify(result({ kind: 'message', category: 'message' }));
    const before = (await app.api(gp, 'GET', '/api/notifications/unread-count')).body.unread as number;
    const read = await app.api(gp, 'POST', `/api/notifications/${id}/read`);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ id, readAt: expect.any(String) });
    expect((await app.api(gp, 'GET', '/api/notifications/unread-count')).body).toEqual({ unread: before - 1 });
    const acknowledged = await app.api(gp, 'POST', `/api/notifications/${id}/acknowledge`);
    expect(acknowledged.body).toMatchObject({ id, readAt: read.body.readAt, acknowledgedAt: expect.any(String) });
    const unread = await app.api(gp, 'GET', '/api/notifications?status=unread&count=200');
    expect(unread.body.items.map((i: { id: string }) => i.id)).not.toContain(id);
    const messages = await app.api(gp, 'GET', '/api/notifications?category=message');
    expect(messages.body.items.every((i: { category: { code: string } }) => i.category.code === 'message')).toBe(true);
  });

  test('a rolled-back transaction tells nobody', async () => {
    await resultsByText();
    let id = '';
    await expect(
      app.t.platform.db.transaction(async (tx) => {
        id = (await app.notifications.notify(result(), { tx })).id;
        throw new Error('the caller changed its mind');
      }),
    ).rejects.toThrow('changed its mind');
    expect((await app.t.fhir('GET', `Communication/${id}`)).status).toBe(404);
    expect(await app.t.platform.db.query('select 1 from notification where id = $1', [id])).toHaveLength(0);
    const jobs = await app.t.platform.db.query(`select 1 from pgboss.job where data->>'notificationId' = $1`, [id]);
    expect(jobs).toHaveLength(0);
  });

  test('a delivery is handed over once, however many times its job runs', async () => {
    await resultsByText();
    const { id } = await app.notifications.notify(result());
    const job = {
      id: 'x',
      data: { notificationId: id, channel: 'sms' as const },
      lastAttempt: false,
      signal: new AbortController().signal,
    };
    await Promise.all([app.notifications.deliver([job, job]), app.notifications.deliver([job])]);
    await new Promise((resolve) => setTimeout(resolve, 2500)); // the queued job too
    expect(await textsAbout(app.t, id)).toHaveLength(1);
  });

  test('the same idempotency key notifies once', async () => {
    const first = await app.notifications.notify(result({ idempotencyKey: 'test:once' }));
    const again = await app.notifications.notify(result({ idempotencyKey: 'test:once' }));
    expect(again).toMatchObject({ id: first.id, repeated: true });
  });

  test.each([
    ['an unregistered kind', { kind: 'nonsense' }, 'kind'],
    ['an unknown category', { category: 'gossip' as never }, 'category'],
    ['a recipient that is not a person', { recipient: 'Organization/org-gp' }, 'recipient'],
    ['a subject that is not a Patient', { subject: 'Condition/p1-gp-cond' }, 'subject'],
  ])('refuses %s', async (_name, overrides, field) => {
    await expect(app.notifications.notify(result(overrides))).rejects.toMatchObject({
      outcome: { issue: [{ code: 'invalid', expression: [field] }] },
    });
  });
});

describe('e-mail', () => {
  test('goes through the e-mail module to the catcher, saying only that there is something to see', async () => {
    const address = 'grace.practice@example.nhs.uk';
    await resultsByText({
      kinds: [{ kind: 'result', channels: ['inbox', 'email'], delivery: 'immediate' }],
      email: address,
    });
    const { id, channels } = (await app.notifications.notify(result({ priority: 'urgent' }))) as {
      id: string;
      channels: string[];
    };
    expect(channels).toEqual(['inbox', 'email']);
    let caught: { subject: string; text: string }[] = [];
    await eventually(async () => {
      const response = await app.api(gp, 'GET', `/api/email/caught?to=${encodeURIComponent(address)}`);
      caught = (response.body.caught ?? []) as typeof caught;
      return caught.length > 0;
    });
    expect(caught[0]!.subject).toMatch(/CareWeave/);
    expect(caught[0]!.text).toMatch(/Sign in/);
    // Nothing that identifies the patient or the result leaves CareWeave by e-mail.
    expect(`${caught[0]!.subject} ${caught[0]!.text}`).not.toMatch(/One|182\/110|Hypertension/);
    const [delivery] = await app.t.platform.db.query<{ status: string }>(
      `select status from notification_delivery where notification_id = $1 and channel = 'email'`,
      [id],
    );
    expect(delivery?.status).toBe('sent');
  });
});

describe('preferences', () => {
  test('round trip: every kind listed, choices saved, phone normalised', async () => {
    const initial = await app.api(ACTORS.nurse, 'GET', '/api/notifications/preferences');
    expect(initial.status).toBe(200);
    expect(initial.body).toMatchObject({ quietHours: null, digestTime: '08:00' });
    expect(initial.body.kinds).toContainEqual({
      kind: 'admission-notice',
      title: 'Your patients admitted to hospital',
      channels: ['inbox', 'sms'],
      delivery: 'immediate',
    });
    const wanted = {
      kinds: [{ kind: 'result', channels: ['email', 'inbox'], delivery: 'digest' }],
      quietHours: { start: '22:00', end: '07:00' },
      digestTime: '07:30',
      phone: '07700 900 222',
      email: 'nurse@example.nhs.uk',
    };
    const saved = await app.api(ACTORS.nurse, 'PUT', '/api/notifications/preferences', wanted);
    expect(saved.status).toBe(200);
    const again = await app.api(ACTORS.nurse, 'GET', '/api/notifications/preferences');
    expect(again.body).toEqual(saved.body);
    expect(again.body).toMatchObject({
      quietHours: { start: '22:00', end: '07:00' },
      digestTime: '07:30',
      phone: '+447700900222',
      email: 'nurse@example.nhs.uk',
    });
    expect(again.body.kinds).toContainEqual({
      kind: 'result',
      title: 'New results',
      channels: ['inbox', 'email'],
      delivery: 'digest',
    });
  });

  test.each([
    ['the inbox switched off', { kinds: [{ kind: 'result', channels: ['sms'] }] }, 'kinds[0].channels'],
    ['an unknown channel', { kinds: [{ kind: 'result', channels: ['inbox', 'pager'] }] }, 'kinds[0].channels'],
    ['an unknown kind', { kinds: [{ kind: 'gossip', channels: ['inbox'] }] }, 'kinds[0].kind'],
    ['a bad delivery', { kinds: [{ kind: 'result', channels: ['inbox'], delivery: 'weekly' }] }, 'kinds[0].delivery'],
    ['quiet hours not HH:MM', { quietHours: { start: '10pm', end: '07:00' } }, 'quietHours.start'],
    ['a digest time out of range', { digestTime: '24:00' }, 'digestTime'],
    ['a phone number that is not one', { phone: '12345' }, 'phone'],
    ['an e-mail address that is not one', { email: 'nurse@' }, 'email'],
  ])('refuses %s (400 naming the field)', async (_name, body, field) => {
    const response = await app.api(ACTORS.nurse, 'PUT', '/api/notifications/preferences', body);
    expect(response.status).toBe(400);
    expect(response.body.resourceType).toBe('OperationOutcome');
    expect(response.body.issue[0].expression).toEqual([field]);
  });
});

describe('quiet hours', () => {
  // Quiet all day long (but one minute), so the test does not depend on the time it runs.
  const allDay = { start: '00:00', end: '23:59' };

  test('hold a routine text until they end, as a job to start then', async () => {
    await resultsByText({ quietHours: allDay });
    const { id } = await app.notifications.notify(result());
    const [delivery] = await app.t.platform.db.query<{ status: string; deliver_after: Date }>(
      `select status, deliver_after from notification_delivery where notification_id = $1`,
      [id],
    );
    expect(delivery!.status).toBe('pending');
    expect(new Date(delivery!.deliver_after).getTime()).toBeGreaterThan(Date.now());
    const [job] = await app.t.platform.db.query<{ start_after: Date; singleton_key: string }>(
      `select start_after, singleton_key from pgboss.job where name = $1 and data->>'notificationId' = $2`,
      [DELIVER_QUEUE, id],
    );
    expect(new Date(job!.start_after).getTime()).toBe(new Date(delivery!.deliver_after).getTime());
    expect(job!.singleton_key).toBe(`${id}:sms`);
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(await textsAbout(app.t, id)).toHaveLength(0);
    // The inbox has it at once.
    const inbox = await app.api(gp, 'GET', '/api/notifications?count=5');
    expect(inbox.body.items.map((i: { id: string }) => i.id)).toContain(id);
  });

  test('do not hold an urgent one', async () => {
    await resultsByText({ quietHours: allDay });
    const { id } = await app.notifications.notify(result({ priority: 'urgent' }));
    await eventually(async () => (await textsAbout(app.t, id)).length === 1);
    expect((await textsAbout(app.t, id))[0]!.body).toBe(
      'You have a new urgent CareWeave notification. Sign in to see it.',
    );
  });
});

describe('daily digest', () => {
  test('one text a day with the counts, and nothing about whom', async () => {
    const saved = await app.api(gp, 'PUT', '/api/notifications/preferences', {
      kinds: [
        { kind: 'result', channels: ['inbox', 'sms'], delivery: 'digest' },
        { kind: 'referral', channels: ['inbox', 'sms'], delivery: 'digest' },
      ],
      digestTime: '00:00',
      phone: '07700 900333',
    });
    expect(saved.status).toBe(200);
    const about = { about: 'Encounter/p1-acute-enc' };
    const sent = [
      await app.notifications.notify(result(about)),
      await app.notifications.notify(result(about)),
      await app.notifications.notify(result({ ...about, kind: 'referral', category: 'referral' })),
    ];
    expect(sent.every((s) => s.status === 'sent')).toBe(true);
    const before = await app.t.platform.db.query(`select 1 from sms_message where phone = '+447700900333'`);
    expect(before).toHaveLength(0);

    expect(await app.notifications.sendDueDigests()).toBe(1);
    expect(await app.notifications.sendDueDigests()).toBe(0); // once a day
    const texts = await app.t.platform.db.query<{ body: string }>(
      `select body from sms_message where phone = '+447700900333'`,
    );
    expect(texts).toEqual([{ body: 'CareWeave: 3 new notifications (2 result, 1 referral). Sign in to see them.' }]);
    const settled = await app.t.platform.db.query<{ status: string }>(
      `select status from notification_delivery where notification_id = any($1::text[])`,
      [sent.map((s) => s.id)],
    );
    expect(settled.every((d) => d.status === 'sent')).toBe(true);
  });
});
