/** Sending through the local catcher and a relay, retries, failures, and who may read the log (docs/EMAIL.md). */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ORGANISATION_TYPE_SYSTEM, type StaffActor } from '../../access/actor.ts';
import { actorClient } from '../../access/testing/actor-client.ts';
import { createTestApp, type TestApp } from '../../testing/app.ts';
import type { CaughtEmail, EmailMessage } from './email.repository.ts';
import type { EmailService } from './email.service.ts';
import { emailModule } from './index.ts';
import { catcherTransport } from './transport.ts';

let t: TestApp;
let email: EmailService;

async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > until) {
      return value;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function get<T>(url: string, token?: string): Promise<{ status: number; body: T }> {
  const response = await t.app.inject({
    method: 'GET',
    url,
    ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}),
  });
  return { status: response.statusCode, body: JSON.parse(response.body) as T };
}

const message = (id: string) => get<{ messages: EmailMessage[] }>(`/api/email/messages?reference=Test/${id}`);
const caughtFor = (to: string) => get<{ caught: CaughtEmail[] }>(`/api/email/caught?to=${encodeURIComponent(to)}`);

beforeAll(async () => {
  t = await createTestApp(
    { CAREWEAVE_EMAIL_RETRY_DELAY_SECONDS: '1', CAREWEAVE_EMAIL_RETRY_LIMIT: '3' },
    { modules: [emailModule] },
  );
  await t.app.ready();
  email = t.app.modules.use('email');
});

afterAll(async () => {
  await t?.close();
});

describe('e-mail through the local catcher', () => {
  test('a message is sent and caught with its subject and body', async () => {
    const { id } = await email.send({
      to: 'Pat Example <pat@example.org>',
      subject: 'Your appointment on Tuesday',
      text: 'Please arrive at 09:00.',
      html: '<p>Please arrive at <b>09:00</b>.</p>',
      reference: 'Test/caught',
    });
    const caught = await waitFor(
      () => caughtFor('pat@example.org'),
      (r) => r.body.caught.length > 0,
    );
    expect(caught.status).toBe(200);
    expect(caught.body.caught[0]).toMatchObject({
      subject: 'Your appointment on Tuesday',
      to: ['pat@example.org'],
      from: 'no-reply@careweave.localhost',
      messageId: `<${id}@careweave.localhost>`,
    });
    expect(caught.body.caught[0]!.text).toContain('Please arrive at 09:00.');
    expect(caught.body.caught[0]!.html).toContain('<b>09:00</b>');
    const sent = await waitFor(
      () => message('caught'),
      (r) => r.body.messages[0]?.status === 'sent',
    );
    expect(sent.body.messages[0]).toMatchObject({ id, status: 'sent', attempts: 1, error: null });
  });

  test('a message queued in a transaction that rolls back is never sent', async () => {
    await expect(
      t.platform.db.transaction(async (tx) => {
        await email.send(
          { to: 'rolled@example.org', subject: 'Never', text: 'Never sent', reference: 'Test/rb' },
          { tx },
        );
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    const { id } = await t.platform.db.transaction((tx) =>
      email.send({ to: 'kept@example.org', subject: 'Kept', text: 'Sent', reference: 'Test/kept' }, { tx }),
    );
    await waitFor(
      () => caughtFor('kept@example.org'),
      (r) => r.body.caught.length > 0,
    );
    expect((await message('rb')).body.messages).toEqual([]);
    expect((await caughtFor('rolled@example.org')).body.caught).toEqual([]);
    expect((await message('kept')).body.messages[0]?.id).toBe(id);
  });

  test('a permanent failure is recorded once, not retried, and listed', async () => {
    const { id } = await email.send({
      to: 'nobody@bounce.invalid',
      subject: 'Bounce',
      text: 'x',
      reference: 'Test/bounce',
    });
    const failed = await waitFor(
      () => message('bounce'),
      (r) => r.body.messages[0]?.status === 'failed',
    );
    expect(failed.body.messages[0]).toMatchObject({ id, status: 'failed', attempts: 1 });
    expect(failed.body.messages[0]!.error).toMatch(/550|No such recipient/);
    const listed = await get<{ messages: EmailMessage[] }>('/api/email/messages?status=failed');
    expect(listed.body.messages.map((m) => m.id)).toContain(id);
  });

  test('a malformed message is refused before it is queued', async () => {
    await expect(email.send({ to: 'not an address', subject: 'x', text: 'x' })).rejects.toThrow(/e-mail address/);
    await expect(email.send({ to: 'a@example.org', subject: 'two\nlines', text: 'x' })).rejects.toThrow(/one line/);
  });

  test('administrators see their organisation’s messages; other roles and patients are refused', async () => {
    const users = actorClient(t);
    const organisation = async (name: string): Promise<string> =>
      (
        await t.platform.resources.create('Organization', {
          resourceType: 'Organization',
          name,
          type: [{ coding: [{ system: ORGANISATION_TYPE_SYSTEM, code: 'gp-practice' }] }],
        })
      ).resource.id!;
    const [orgA, orgB] = [await organisation('Practice A'), await organisation('Practice B')];
    const staff = (roleCode: string, organizationId: string): StaffActor => ({
      kind: 'staff',
      userId: `user-${roleCode}-${organizationId}`,
      practitionerId: `pr-${roleCode}`,
      organizationId,
      organizationType: 'gp-practice',
      roleCode,
      scopes: ['user/*.cruds'],
    });
    await email.send({
      to: 'a@example.org',
      subject: 'Org',
      text: 'x',
      reference: 'Test/org',
      senderOrganizationId: orgA,
    });
    const admin = await get<{ messages: EmailMessage[] }>(
      '/api/email/messages?reference=Test/org',
      await users.tokenFor(staff('R8008', orgA)),
    );
    expect(admin.status).toBe(200);
    expect(admin.body.messages).toHaveLength(1);
    const otherOrg = await get<{ messages: EmailMessage[] }>(
      '/api/email/messages?reference=Test/org',
      await users.tokenFor(staff('R8008', orgB)),
    );
    expect(otherOrg.body.messages).toHaveLength(0);
    const clinician = await get('/api/email/messages', await users.tokenFor(staff('R8000', orgA)));
    expect(clinician.status).toBe(403);
    const patient = await get(
      '/api/email/messages',
      await users.tokenFor({ kind: 'patient', userId: 'p-1', patientId: 'p-1', scopes: [] }),
    );
    expect(patient.status).toBe(403);
    // The catcher is for staff and systems too.
    expect((await get('/api/email/caught', await users.tokenFor(staff('R8000', orgA)))).status).toBe(200);
    expect(
      (
        await get(
          '/api/email/caught',
          await users.tokenFor({ kind: 'patient', userId: 'p-1', patientId: 'p-1', scopes: [] }),
        )
      ).status,
    ).toBe(403);
  });
});

describe('e-mail through a relay', () => {
  // Last: it points the service at this relay for the rest of the file.
  test('a transient failure (451) is retried with backoff, then sent', { timeout: 60_000 }, async () => {
    let refused = 0;
    const received: string[] = [];
    const relay = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onRcptTo: (_address, _session, callback) => {
        if (refused++ === 0) {
          return callback(Object.assign(new Error('Greylisted, try again later'), { responseCode: 451 }));
        }
        callback();
      },
      onData: (stream, session, callback) => {
        stream.resume();
        stream.on('end', () => {
          received.push(session.envelope.rcptTo[0]!.address);
          callback(null, 'OK: queued as RELAY123');
        });
      },
    });
    await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
    try {
      email.useTransport(catcherTransport((relay.server.address() as AddressInfo).port));
      const { id } = await email.send({
        to: 'retry@example.org',
        subject: 'Retry',
        text: 'x',
        reference: 'Test/retry',
      });
      const sent = await waitFor(
        () => message('retry'),
        (r) => r.body.messages[0]?.status === 'sent',
        45_000,
      );
      expect(sent.body.messages[0]).toMatchObject({
        id,
        status: 'sent',
        attempts: 2,
        error: null,
        providerMessageId: 'RELAY123',
      });
      expect(received).toEqual(['retry@example.org']);
    } finally {
      await new Promise<void>((resolve) => relay.close(() => resolve()));
    }
  });
});
