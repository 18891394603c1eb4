import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../db/database.ts';
import { openPostgres } from '../../db/postgres.ts';
import { buildApp, createPlatform } from '../../http/app.ts';
import { createTestApp, type TestApp } from '../../testing/app.ts';
import { testDatabaseKind } from '../../testing/database.ts';
import { startReceiver, type Receiver } from './testing/receiver.ts';

/**
 * Two platforms on one PostgreSQL, each with its own pg-boss and dispatcher: writes through either
 * are notified exactly once (the outbox is taken `for update skip locked`, delivery jobs are
 * claimed once by pg-boss).
 */
describe.skipIf(testDatabaseKind() !== 'postgres')('two platforms on one PostgreSQL', () => {
  let a: TestApp;
  let bDb: Database;
  let b: FastifyInstance;
  let receiver: Receiver;

  beforeAll(async () => {
    receiver = await startReceiver();
    a = await createTestApp({
      CAREWEAVE_SUBSCRIPTION_ALLOWED_HOSTS: '127.0.0.1',
      CAREWEAVE_SUBSCRIPTION_ALLOW_PRIVATE_NETWORKS: 'true',
    });
    await a.app.ready();
    bDb = await openPostgres(a.database.url!, 4);
    b = await buildApp(createPlatform(a.platform.config, bDb));
    await b.ready();
  });

  afterAll(async () => {
    await b?.close();
    await bDb?.close();
    await a?.close();
    await receiver?.close();
  });

  it('delivers each notification once', { timeout: 240_000 }, async () => {
    const created = await a.fhir('POST', 'Subscription', {
      resourceType: 'Subscription',
      status: 'requested',
      reason: 'tests',
      criteria: 'Observation?code=http://loinc.org|5001-1',
      channel: { type: 'rest-hook', endpoint: `${receiver.url}/hook` },
    });
    expect(created.status).toBe(201);
    const observation = {
      resourceType: 'Observation',
      status: 'final',
      code: { coding: [{ system: 'http://loinc.org', code: '5001-1' }] },
    };
    const post = async (app: FastifyInstance): Promise<string> => {
      const response = await app.inject({
        method: 'POST',
        url: '/fhir/R4/Observation',
        headers: { authorization: `Bearer ${a.token}`, 'content-type': 'application/fhir+json' },
        payload: JSON.stringify(observation),
      });
      expect(response.statusCode).toBe(201);
      return (JSON.parse(response.body) as { id: string }).id;
    };
    // Concurrently through both platforms, so both dispatchers and both queues' workers are busy.
    const ids = await Promise.all([post(a.app), post(b), post(a.app), post(b), post(a.app), post(b)]);
    for (const id of ids) {
      await receiver.waitFor((n) => n.focus === `Observation/${id}`, 180_000);
    }
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(receiver.notifications.map((n) => n.focus).sort()).toEqual(ids.map((id) => `Observation/${id}`).sort());
    expect(receiver.notifications.map((n) => n.eventNumber).sort((x, y) => x - y)).toEqual([1, 2, 3, 4, 5, 6]);
  });
});
