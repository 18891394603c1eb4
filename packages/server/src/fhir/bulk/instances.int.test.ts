import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/config.ts';
import type { Database } from '../../db/database.ts';
import { openPostgres } from '../../db/postgres.ts';
import { buildApp, createPlatform } from '../../http/app.ts';
import { createTestApp, type TestApp } from '../../testing/app.ts';
import { download, kickOff, poll } from './testing/export-client.ts';

const onPostgres = process.env.CAREWEAVE_TEST_DATABASE === 'postgres';

/**
 * Two instances on one PostgreSQL: A serves requests but runs no jobs (CAREWEAVE_JOB_CONCURRENCY=0),
 * B runs them. An export started on A is run by B and answered, files included, by A.
 */
describe.runIf(onPostgres)('bulk export across instances', () => {
  let a: TestApp;
  let bDb: Database;
  let b: FastifyInstance | undefined;

  beforeAll(async () => {
    a = await createTestApp({ CAREWEAVE_JOB_CONCURRENCY: '0' });
    for (const id of ['p1', 'p2']) {
      await a.platform.resources.update('Patient', id, { resourceType: 'Patient', id, name: [{ family: id }] });
    }
  });

  afterAll(async () => {
    await b?.close();
    await bDb?.close();
    await a?.close();
  });

  it('queues on one instance and runs on another', async () => {
    const started = await kickOff(a, '$export?_type=Patient');
    expect(started.status).toBe(202);
    // No instance runs jobs yet: it stays queued.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const path = started.location.slice(a.fhirBase.length + 1);
    const queued = await a.fhir('GET', path);
    expect(queued.status).toBe(202);
    expect(queued.headers['x-progress']).toBe('Queued');

    bDb = await openPostgres(a.database.url!, 4);
    const config = loadConfig({ CAREWEAVE_LOG_LEVEL: 'silent', CAREWEAVE_BASE_URL: 'http://careweave.test' });
    b = await buildApp(createPlatform(config, bDb));
    await b.ready();

    const done = await poll(a, started.location);
    expect(done.status).toBe(200);
    const lines = await download(a, done.body.output[0].url);
    expect(lines.map((r) => r.id).sort()).toEqual(['p1', 'p2']);
  });
});
