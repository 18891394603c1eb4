import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/database.ts';
import { openPostgres } from '../db/postgres.ts';
import { buildApp, createPlatform } from '../http/app.ts';
import { createTestApp, type TestApp } from '../testing/app.ts';
import { testDatabaseKind } from '../testing/database.ts';
import { onResourceEvent } from './bus.ts';
import { encounter, eventually } from './testing.ts';

const runs: string[] = [];
onResourceEvent({
  name: 'test-instances-admission',
  types: ['Encounter'],
  interactions: ['create'],
  handle: async (event) => {
    runs.push(event.resourceId);
    // Long enough that both instances' runners are busy at once.
    await new Promise((resolve) => setTimeout(resolve, 20));
  },
});

const emergencyRuns = new Map<string, number>();
onResourceEvent({
  name: 'test-instances-emergency',
  types: ['Encounter'],
  interactions: ['create'],
  filter: (resource) => (resource as { class?: { code?: string } }).class?.code === 'EMER',
  handle: (event) => {
    emergencyRuns.set(event.resourceId, Date.now());
    return Promise.resolve();
  },
});

/** Two platforms on one PostgreSQL, each with its own outbox dispatcher and reaction runner. */
describe.skipIf(testDatabaseKind() !== 'postgres')('reactions on two platforms', () => {
  let a: TestApp;
  let bDb: Database;
  let b: FastifyInstance;

  beforeAll(async () => {
    a = await createTestApp();
    await a.app.ready();
    bDb = await openPostgres(a.database.url!, 4);
    b = await buildApp(createPlatform(a.platform.config, bDb));
    await b.ready();
  });

  afterAll(async () => {
    await b?.close();
    await bDb?.close();
    await a?.close();
  });

  it('runs each reaction once', { timeout: 120_000 }, async () => {
    const post = async (app: FastifyInstance): Promise<string> => {
      const response = await app.inject({
        method: 'POST',
        url: '/fhir/R4/Encounter',
        headers: { authorization: `Bearer ${a.token}`, 'content-type': 'application/fhir+json' },
        payload: JSON.stringify(encounter('IMP')),
      });
      expect(response.statusCode).toBe(201);
      return (JSON.parse(response.body) as { id: string }).id;
    };
    const ids = (
      await Promise.all(Array.from({ length: 5 }, () => Promise.all([post(a.app), post(b), post(a.app), post(b)])))
    ).flat();
    await eventually(() => ids.every((id) => runs.includes(id)), 60_000);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect([...runs].sort()).toEqual([...ids].sort());
    const rows = await a.database.db.query<{ attempts: number; status: string }>(
      `select attempts, status from event_reaction where reaction = 'test-instances-admission'`,
    );
    expect(rows).toHaveLength(ids.length);
    expect(rows.every((r) => r.status === 'done' && Number(r.attempts) === 1)).toBe(true);
  });

  it('wakes the other instance at once (LISTEN/NOTIFY), not at its sweep', async () => {
    // A records the deliveries but runs none: only B can, and B hears of them by notification.
    await a.platform.events.stop();
    const response = await a.app.inject({
      method: 'POST',
      url: '/fhir/R4/Encounter',
      headers: { authorization: `Bearer ${a.token}`, 'content-type': 'application/fhir+json' },
      payload: JSON.stringify(encounter('EMER')),
    });
    expect(response.statusCode).toBe(201);
    const committed = Date.now();
    const id = (JSON.parse(response.body) as { id: string }).id;
    await eventually(() => emergencyRuns.has(id), 10_000);
    expect(emergencyRuns.get(id)! - committed).toBeLessThan(2000); // the sweep would take up to 60 s
  });
});
