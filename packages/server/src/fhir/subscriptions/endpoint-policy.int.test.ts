import type { Subscription } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../testing/app.ts';
import { startReceiver, type Receiver } from './testing/receiver.ts';

/**
 * Where Subscriptions may send notifications, with the default network rules (no private
 * networks): checked when a Subscription is written (422) and again at each delivery, after DNS.
 */
let t: TestApp;
let receiver: Receiver;
let port: string;

function subscription(endpoint: string): Subscription {
  return {
    resourceType: 'Subscription',
    status: 'requested',
    reason: 'tests',
    criteria: 'Observation?code=http://loinc.org|6001-1',
    channel: { type: 'rest-hook', endpoint },
  };
}

beforeAll(async () => {
  receiver = await startReceiver();
  port = new URL(receiver.url).port;
  t = await createTestApp({
    CAREWEAVE_SUBSCRIPTION_ALLOWED_HOSTS: `hooks.example.org, 127.0.0.1, 169.254.169.254, localhost:${port}`,
    CAREWEAVE_SUBSCRIPTION_RETRY_LIMIT: '0',
  });
  await t.app.ready();
});

afterAll(async () => {
  await t?.close();
  await receiver?.close();
});

describe('Subscription endpoints', () => {
  it.each([
    ['a host that is not allowed', 'https://elsewhere.example.org/hook', /not one this server delivers to/],
    ['loopback, although its host is allowed', 'http://127.0.0.1:9/hook', /loopback, link-local or private/],
    ['the cloud metadata service', 'http://169.254.169.254/latest/meta-data/', /metadata/],
  ])('refuses %s with a 422 OperationOutcome and stores nothing', async (_name, endpoint, message) => {
    const response = await t.fhir('POST', 'Subscription', subscription(endpoint));
    expect(response.status).toBe(422);
    expect(response.body.resourceType).toBe('OperationOutcome');
    expect(response.body.issue[0]).toMatchObject({
      code: 'business-rule',
      expression: ['Subscription.channel.endpoint'],
      diagnostics: expect.stringMatching(message),
    });
    const [row] = await t.platform.db.query<{ n: string }>(
      `select count(*) as n from resource where resource_type = 'Subscription'`,
    );
    expect(Number(row!.n)).toBe(0);
  });

  it('accepts an allowed public host', async () => {
    const response = await t.fhir('POST', 'Subscription', subscription('https://hooks.example.org/hook'));
    expect(response.status).toBe(201);
    expect((await t.fhir('DELETE', `Subscription/${response.body.id}`)).status).toBe(204);
  });

  it('checks the addresses a name resolves to at delivery, and sends nothing inside the network', async () => {
    // Allowed by name; "localhost" resolves to loopback only when the notification is due.
    const created = await t.fhir('POST', 'Subscription', subscription(`http://localhost:${port}/hook`));
    expect(created.status).toBe(201);
    await t.platform.resources.create('Observation', {
      resourceType: 'Observation',
      status: 'final',
      code: { coding: [{ system: 'http://loinc.org', code: '6001-1' }] },
    });
    let current: Subscription | undefined;
    for (let i = 0; i < 300 && current?.status !== 'error'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      current = (await t.fhir('GET', `Subscription/${created.body.id}`)).body as Subscription;
    }
    expect(current?.status).toBe('error');
    expect(current?.error).toMatch(/localhost resolves to (127\.0\.0\.1|::1) is a loopback/);
    expect(receiver.attempts).toBe(0);
  });
});
