import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../db/database.ts';
import { openPostgres } from '../../db/postgres.ts';
import { buildApp, createPlatform } from '../../http/app.ts';
import { createTestApp, type TestApp } from '../../testing/app.ts';
import { testDatabaseKind } from '../../testing/database.ts';
import { PingRepository } from './pings.ts';
import { openWebsocket, type WsClient } from './testing/websocket-client.ts';
import { WEBSOCKET_PATH } from './websocket-url.ts';

/**
 * Two platforms on one PostgreSQL: a websocket bound on one instance hears of writes made through
 * the other (the ping crosses instances through `subscription_ping` and LISTEN/NOTIFY), once.
 */
describe.skipIf(testDatabaseKind() !== 'postgres')('the websocket channel across two instances', () => {
  let a: TestApp;
  let bDb: Database;
  let b: FastifyInstance;
  let client: WsClient | undefined;

  beforeAll(async () => {
    a = await createTestApp();
    await a.app.ready();
    bDb = await openPostgres(a.database.url!, 4);
    b = await buildApp(createPlatform(a.platform.config, bDb));
    await b.listen({ port: 0, host: '127.0.0.1' });
  });

  afterAll(async () => {
    await client?.close();
    await b?.close();
    await bDb?.close();
    await a?.close();
  });

  it('pings a websocket bound on instance B for a write made through instance A', { timeout: 120_000 }, async () => {
    const created = await a.fhir('POST', 'Subscription', {
      resourceType: 'Subscription',
      status: 'requested',
      reason: 'tests',
      criteria: 'Observation?code=http://loinc.org|9001-1',
      channel: { type: 'websocket' },
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const address = b.server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    client = await openWebsocket(`ws://127.0.0.1:${port}${WEBSOCKET_PATH}`, a.token);
    client.send(`bind ${id}`);
    await client.waitFor((frame) => frame === `bound ${id}`);
    const written = await a.fhir('POST', 'Observation', {
      resourceType: 'Observation',
      status: 'final',
      code: { coding: [{ system: 'http://loinc.org', code: '9001-1' }] },
    });
    expect(written.status).toBe(201);
    await client.waitFor((frame) => frame === `ping ${id}`, 90_000);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(client.frames).toEqual([`bound ${id}`, `ping ${id}`]);
    // Whichever instance's worker ran that delivery, a ping recorded by A itself reaches B's socket.
    await new PingRepository(a.platform.db).send(id);
    await expect.poll(() => client!.frames, { timeout: 30_000 }).toEqual([`bound ${id}`, `ping ${id}`, `ping ${id}`]);
  });
});
