/** Provider callbacks, opt-outs, sending with retries, and who may read messages (docs/SMS.md). */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ORGANISATION_TYPE_SYSTEM, type StaffActor } from '../../access/actor.ts';
import { actorClient } from '../../access/testing/actor-client.ts';
import { createTestApp, type TestApp } from '../../testing/app.ts';
import { SHARED_DATA } from '../../testing/shared-data.ts';
import { LoopbackGateway, type SentSms, type SmsGateway } from './gateway.ts';
import { NotifyGateway, type NotifySmsClient } from './notify.gateway.ts';
import type { InboundSms } from './registry.ts';
import type { SmsMessage } from './sms.repository.ts';
import { twilioSignature } from './twilio-signature.ts';

const TWILIO_TOKEN = 'twilio-test-auth-token-0123456789';
const NOTIFY_TOKEN = 'notify-callback-token-0123456789';
const BASE = 'http://careweave.test';

let t: TestApp;
let serial = 0;
const heard: InboundSms[] = [];
let stopListening: () => void;

const sample = (name: string) => readFileSync(path.join(SHARED_DATA, 'sms', name), 'utf8');

/** A fresh fictional mobile number (Ofcom's drama range) per test. */
function phone(): { national: string; e164: string } {
  const n = String(100 + serial++).padStart(3, '0');
  return { national: `07700 900${n}`, e164: `+447700900${n}` };
}

async function rows(where: string, params: unknown[]): Promise<SmsMessage[]> {
  return t.platform.db.query<SmsMessage>(
    `select id::text, status, error, attempts, provider, provider_message_id as "providerMessageId" from sms_message where ${where}`,
    params as string[],
  );
}

function twilioForm(from: string, sid: string, body: string): URLSearchParams {
  const params = new URLSearchParams(sample('twilio-inbound-sms.example.form'));
  params.set('From', from);
  params.set('MessageSid', sid);
  params.set('SmsSid', sid);
  params.set('Body', body);
  return params;
}

function postTwilio(params: URLSearchParams, signature?: string) {
  return t.app.inject({
    method: 'POST',
    url: '/webhooks/sms/twilio',
    headers: {
      authorization: '',
      'content-type': 'application/x-www-form-urlencoded',
      ...(signature !== undefined ? { 'x-twilio-signature': signature } : {}),
    },
    payload: params.toString(),
  });
}

function postNotify(body: object, token: string | undefined) {
  return t.app.inject({
    method: 'POST',
    url: '/webhooks/sms/notify',
    headers: { authorization: token === undefined ? '' : `Bearer ${token}`, 'content-type': 'application/json' },
    payload: JSON.stringify(body),
  });
}

async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > until) {
      return value;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** A gateway that counts its calls (and never sends anything). */
class CountingGateway implements SmsGateway {
  readonly name = 'loopback';
  calls: string[] = [];
  send(to: string): Promise<SentSms> {
    this.calls.push(to);
    return new LoopbackGateway().send();
  }
}

beforeAll(async () => {
  t = await createTestApp({
    CAREWEAVE_TWILIO_AUTH_TOKEN: TWILIO_TOKEN,
    CAREWEAVE_NOTIFY_CALLBACK_TOKEN: NOTIFY_TOKEN,
    CAREWEAVE_SMS_RETRY_LIMIT: '2',
    CAREWEAVE_SMS_RETRY_DELAY_SECONDS: '1',
  });
  await t.app.ready();
  stopListening = t.app.modules.use('sms').onInbound((message) => {
    heard.push(message);
    return Promise.resolve();
  });
});

afterAll(async () => {
  stopListening?.();
  await t?.close();
});

describe('Twilio inbound webhook', () => {
  test('a signed inbound text is accepted once; posted twice, one row', async () => {
    const from = phone();
    const params = twilioForm(from.e164, `SM${'a'.repeat(32)}`, 'BP 120/80');
    const signature = twilioSignature(TWILIO_TOKEN, `${BASE}/webhooks/sms/twilio`, params);
    for (const _ of [1, 2]) {
      const response = await postTwilio(params, signature);
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toMatch(/text\/xml/);
      expect(response.body).toContain('<Response/>');
    }
    expect(await rows("phone = $1 and direction = 'in'", [from.e164])).toMatchObject([
      { status: 'received', provider: 'twilio' },
    ]);
    expect(heard.filter((m) => m.from === from.e164).map((m) => m.body)).toEqual(['BP 120/80']);
  });

  test.each([
    ['a forged signature', 'e+BuURnvapqejveGFFj7Lmg3D+0=', 403],
    ['a signature for another URL', 'other-url', 403],
    ['no signature', undefined, 401],
  ])('%s is refused and nothing is stored', async (_name, given, status) => {
    const from = phone();
    const params = twilioForm(from.e164, `SM${'b'.repeat(31)}${serial}`, 'YES');
    const signature =
      given === 'other-url'
        ? twilioSignature(TWILIO_TOKEN, 'https://elsewhere.test/webhooks/sms/twilio', params)
        : given;
    expect((await postTwilio(params, signature)).statusCode).toBe(status);
    expect(await rows('phone = $1', [from.e164])).toEqual([]);
  });
});

describe('GOV.UK Notify callbacks', () => {
  test('an inbound text with the right token is accepted once; a wrong or missing token is refused', async () => {
    const from = phone();
    const callback = {
      ...(JSON.parse(sample('govuk-notify-inbound-sms-callback.example.json')) as object),
      id: crypto.randomUUID(),
      source_number: from.e164.slice(1),
    };
    expect((await postNotify(callback, 'wrong-token-wrong-token')).statusCode).toBe(403);
    expect((await postNotify(callback, undefined)).statusCode).toBe(401);
    expect(await rows('phone = $1', [from.e164])).toEqual([]);
    for (const _ of [1, 2]) {
      expect((await postNotify(callback, NOTIFY_TOKEN)).statusCode).toBe(200);
    }
    expect(await rows("phone = $1 and direction = 'in'", [from.e164])).toMatchObject([
      { status: 'received', provider: 'notify' },
    ]);
  });

  test('a delivery receipt marks the message delivered, or failed with the reason', async () => {
    const client: NotifySmsClient = { sendSms: () => Promise.resolve({ data: { id: crypto.randomUUID() } }) };
    t.app.modules.use('sms').useGateway(new NotifyGateway({ apiKey: 'unused', templateId: 'unused' }, client));
    try {
      const receipt = JSON.parse(sample('govuk-notify-delivery-receipt-callback.example.json')) as object;
      for (const [status, expected] of [
        ['delivered', { status: 'delivered', error: null }],
        ['permanent-failure', { status: 'failed', error: expect.stringMatching(/permanent failure/) }],
      ] as const) {
        const queued = await t.app.modules.use('sms').queueSms({ to: phone().national, body: 'Your appointment' });
        const [sent] = await waitFor(
          () => rows('id = $1', [queued.id]),
          ([m]) => m?.status === 'sent',
        );
        const callback = { ...receipt, id: sent!.providerMessageId, reference: queued.id, status };
        expect((await postNotify(callback, NOTIFY_TOKEN)).statusCode).toBe(200);
        expect((await rows('id = $1', [queued.id]))[0]).toMatchObject(expected);
      }
    } finally {
      t.app.modules.use('sms').useGateway(new LoopbackGateway());
    }
  });
});

describe('opt-outs', () => {
  test('STOP refuses later sends without calling the provider; START re-enables them', async () => {
    const gateway = new CountingGateway();
    t.app.modules.use('sms').useGateway(gateway);
    try {
      const to = phone();
      const stop = await t.app.inject({
        method: 'POST',
        url: '/api/sms/loopback/inbound',
        payload: { from: to.national, body: ' stop ' },
      });
      expect(stop.statusCode).toBe(200);
      expect(JSON.parse(stop.body)).toMatchObject({ outcome: 'opted-out' });
      expect(heard.some((m) => m.from === to.e164)).toBe(false);

      const refused = await t.app.modules
        .use('sms')
        .queueSms({ to: to.national, body: 'Reminder', reference: 'Test/stop' });
      expect(refused).toMatchObject({ status: 'failed', error: 'opted out' });

      const start = await t.app.inject({
        method: 'POST',
        url: '/api/sms/loopback/inbound',
        payload: { from: to.e164, body: 'Start' },
      });
      expect(JSON.parse(start.body)).toMatchObject({ outcome: 'opted-in' });
      const sent = await t.app.modules
        .use('sms')
        .queueSms({ to: to.national, body: 'Reminder', reference: 'Test/stop' });
      expect(sent.status).toBe('queued');
      const [after] = await waitFor(
        () => rows('id = $1', [sent.id]),
        ([m]) => m?.status === 'sent',
      );
      expect(after).toMatchObject({ status: 'sent', attempts: 1 });
      expect(gateway.calls).toEqual([to.e164]);
    } finally {
      t.app.modules.use('sms').useGateway(new LoopbackGateway());
    }
  });
});

describe('sending', () => {
  test('a send through a failing Notify client is retried, then fails with the reason shown to the sender', async () => {
    let calls = 0;
    const client: NotifySmsClient = {
      sendSms: () => {
        calls++;
        return Promise.reject(
          Object.assign(new Error('Request failed'), {
            response: { status: 500, data: { errors: [{ error: 'Exception', message: 'Internal server error' }] } },
          }),
        );
      },
    };
    t.app.modules.use('sms').useGateway(new NotifyGateway({ apiKey: 'unused', templateId: 'unused' }, client));
    try {
      const queued = await t.app.modules
        .use('sms')
        .queueSms({ to: phone().national, body: 'Hello', reference: 'Test/retry' });
      const [failed] = await waitFor(
        () => rows('id = $1', [queued.id]),
        ([m]) => m?.status === 'failed',
        45_000,
      );
      expect(failed).toMatchObject({ status: 'failed', attempts: 3 });
      expect(calls).toBe(3);
      const listed = await t.app.inject({ method: 'GET', url: '/api/sms/messages?reference=Test/retry' });
      expect(JSON.parse(listed.body).messages).toMatchObject([
        { id: queued.id, status: 'failed', error: 'GOV.UK Notify answered HTTP 500: Internal server error' },
      ]);
    } finally {
      t.app.modules.use('sms').useGateway(new LoopbackGateway());
    }
  });

  test('a 4xx from Notify fails at once, without retrying', async () => {
    let calls = 0;
    const client: NotifySmsClient = {
      sendSms: () => {
        calls++;
        return Promise.reject(
          Object.assign(new Error('Request failed'), {
            response: {
              status: 400,
              data: { errors: [{ error: 'ValidationError', message: 'phone_number Not a UK mobile number' }] },
            },
          }),
        );
      },
    };
    t.app.modules.use('sms').useGateway(new NotifyGateway({ apiKey: 'unused', templateId: 'unused' }, client));
    try {
      const queued = await t.app.modules.use('sms').queueSms({ to: phone().national, body: 'Hello' });
      const [failed] = await waitFor(
        () => rows('id = $1', [queued.id]),
        ([m]) => m?.status === 'failed',
      );
      expect(failed).toMatchObject({
        attempts: 1,
        error: expect.stringMatching(/HTTP 400: phone_number Not a UK mobile/),
      });
      expect(calls).toBe(1);
    } finally {
      t.app.modules.use('sms').useGateway(new LoopbackGateway());
    }
  });

  test('an invalid number is refused with a clear error and nothing is stored', async () => {
    await expect(
      t.app.modules.use('sms').queueSms({ to: '0800 123', body: 'Hello', reference: 'Test/bad' }),
    ).rejects.toThrow(/'0800 123' is not a valid phone number/);
    expect(await rows('reference = $1', ['Test/bad'])).toEqual([]);
  });

  test('many are queued at once in order, and listed newest first past id 9 (numbers, not text)', async () => {
    const to = phone();
    const bodies = Array.from({ length: 12 }, (_, i) => `Message ${i + 1}`);
    const queued = await t.app.modules
      .use('sms')
      .queueMany([
        ...bodies.map((body) => ({ to: to.national, body, reference: 'Test/many' })),
        { to: '0800 1', body: 'x' },
      ]);
    expect(queued.map((q) => ('message' in q ? q.message.body : q.invalid))).toEqual([
      ...bodies,
      expect.stringMatching(/not a valid phone number/),
    ]);
    const listed = await t.app.inject({ method: 'GET', url: '/api/sms/messages?reference=Test/many&_count=20' });
    const ids = listed.json<{ messages: SmsMessage[] }>().messages.map((m) => BigInt(m.id));
    expect(ids).toHaveLength(12);
    expect(ids).toEqual([...ids].sort((a, b) => (a < b ? 1 : -1)));
  });

  test('a message queued in a transaction that rolls back is never sent', async () => {
    const to = phone();
    await expect(
      t.platform.db.transaction(async (tx) => {
        await t.app.modules.use('sms').queueSms({ to: to.national, body: 'Hello' }, { tx });
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(await rows('phone = $1', [to.e164])).toEqual([]);
  });
});

describe('who may read messages', () => {
  const organisation = async (name: string): Promise<string> => {
    const created = await t.platform.resources.create('Organization', {
      resourceType: 'Organization',
      name,
      type: [{ coding: [{ system: ORGANISATION_TYPE_SYSTEM, code: 'gp-practice' }] }],
    });
    return created.resource.id!;
  };
  const staff = (organizationId: string): StaffActor => ({
    kind: 'staff',
    userId: `user-${organizationId}`,
    practitionerId: `pr-${organizationId}`,
    organizationId,
    organizationType: 'gp-practice',
    roleCode: 'R8000',
    scopes: ['user/*.cruds'],
  });

  test('staff see their organisation’s messages only; patients none', async () => {
    const users = actorClient(t);
    const [orgA, orgB] = [await organisation('Practice A'), await organisation('Practice B')];
    await t.app.modules.use('sms').queueSms({
      to: phone().national,
      body: 'Hi',
      reference: 'Test/org',
      senderOrganizationId: orgA,
    });
    const read = async (token: string) =>
      t.app.inject({
        method: 'GET',
        url: '/api/sms/messages?reference=Test/org',
        headers: { authorization: `Bearer ${token}` },
      });
    const mine = await read(await users.tokenFor(staff(orgA)));
    expect(mine.statusCode).toBe(200);
    expect(JSON.parse(mine.body).messages).toHaveLength(1);
    const theirs = await read(await users.tokenFor(staff(orgB)));
    expect(JSON.parse(theirs.body).messages).toHaveLength(0);
    const patient = await read(await users.tokenFor({ kind: 'patient', userId: 'p-1', patientId: 'p-1', scopes: [] }));
    expect(patient.statusCode).toBe(403);
    const nobody = await t.app.inject({ method: 'GET', url: '/api/sms/messages', headers: { authorization: '' } });
    expect(nobody.statusCode).toBe(401);
  });

  test('on the loopback gateway, staff asking for one number also see the replies simulated from it', async () => {
    const users = actorClient(t);
    const org = await organisation('Practice C');
    const token = await users.tokenFor(staff(org));
    const to = phone();
    await t.app.modules.use('sms').queueSms({
      to: to.national,
      body: 'Reply YES',
      reference: 'Test/sim',
      senderOrganizationId: org,
    });
    const simulated = await t.app.inject({
      method: 'POST',
      url: '/api/sms/loopback/inbound',
      headers: { authorization: `Bearer ${token}` },
      payload: { from: to.national, body: 'YES' },
    });
    expect(JSON.parse(simulated.body)).toMatchObject({ outcome: 'received' });
    // A reply through a real provider stays hidden from staff.
    const params = twilioForm(to.e164, `SM${'c'.repeat(31)}${serial}`, 'Private reply');
    expect(
      (await postTwilio(params, twilioSignature(TWILIO_TOKEN, `${BASE}/webhooks/sms/twilio`, params))).statusCode,
    ).toBe(200);
    const read = async (query: string) => {
      const response = await t.app.inject({
        method: 'GET',
        url: `/api/sms/messages?${query}`,
        headers: { authorization: `Bearer ${token}` },
      });
      expect(response.statusCode).toBe(200);
      return (JSON.parse(response.body) as { messages: SmsMessage[] }).messages.map((m) => [m.direction, m.body]);
    };
    expect(await read(`phone=${encodeURIComponent(to.national)}`)).toEqual([
      ['in', 'YES'],
      ['out', 'Reply YES'],
    ]);
    expect(await read('reference=Test/sim')).toEqual([['out', 'Reply YES']]);

    t.app.modules.use('sms').useGateway({ name: 'notify', send: () => new LoopbackGateway().send() });
    try {
      expect(await read(`phone=${encodeURIComponent(to.e164)}`)).toEqual([['out', 'Reply YES']]);
    } finally {
      t.app.modules.use('sms').useGateway(new LoopbackGateway());
    }
  });
});
