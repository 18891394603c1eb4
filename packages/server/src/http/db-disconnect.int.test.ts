import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testSystemToken } from '../auth/testing/tokens.ts';
import { loadConfig } from '../config/config.ts';
import { createTestDatabase, testDatabaseKind, TEST_POSTGRES_URL, type TestDatabase } from '../testing/database.ts';
import { startServerProcess, type ServerProcess } from '../testing/server-process.ts';
import { createPlatform } from './app.ts';

/**
 * Issue 15, fault 1: PostgreSQL drops the server's connections while clients read and write (an
 * administrator's pg_terminate_backend, a cluster restart). The server process must live on,
 * answer the requests caught by it with 503 + Retry-After OperationOutcomes, and serve again by
 * itself, with nothing but those answers lost.
 */
describe.skipIf(testDatabaseKind() !== 'postgres')('PostgreSQL drops the connections under load', () => {
  let database: TestDatabase;
  let server: ServerProcess;
  let token = '';
  let output = '';
  const dbName = (): string => new URL(database.url!).pathname.slice(1);

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    const env = {
      CAREWEAVE_DATABASE_URL: database.url!,
      CAREWEAVE_DEMO_DATA: 'false',
      CAREWEAVE_BASE_URL: 'http://careweave.test',
      CAREWEAVE_LOG_LEVEL: 'error',
    };
    server = await startServerProcess(env);
    server.child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    server.child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    token = await testSystemToken(createPlatform(loadConfig(env), database.db));
  });
  afterAll(async () => {
    await server?.stop();
    await database?.dispose();
  });

  const request = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${server.baseUrl}/fhir/R4/${path}`, {
      method,
      headers: { 'content-type': 'application/fhir+json', authorization: `Bearer ${token}`, ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return {
      status: res.status,
      retryAfter: res.headers.get('retry-after'),
      location: res.headers.get('content-location'),
      body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined,
    };
  };

  /** Ends every connection of the test database but the admin's own. */
  const terminateBackends = async (): Promise<number> => {
    const admin = new pg.Client({ connectionString: TEST_POSTGRES_URL });
    await admin.connect();
    try {
      const { rows } = await admin.query(
        `select pg_terminate_backend(pid) as ended from pg_stat_activity
          where datname = $1 and pid <> pg_backend_pid()`,
        [dbName()],
      );
      return rows.length;
    } finally {
      await admin.end();
    }
  };

  it('keeps the process up, answers 503 with Retry-After for what was cut off, and recovers', async () => {
    const seed = await request('POST', 'Basic', { resourceType: 'Basic', code: { text: 'seed' } });
    expect(seed.status).toBe(201);
    const seedId = String(seed.body!.id);

    const statuses = new Map<number, number>();
    const unexpected: unknown[] = [];
    let stop = false;
    // 20 clients: reads, searches and writes (each write a transaction on a borrowed client).
    const client = async (n: number): Promise<void> => {
      for (let i = 0; !stop; i++) {
        const kind = (n + i) % 3;
        const res =
          kind === 0
            ? await request('POST', 'Basic', { resourceType: 'Basic', code: { text: `load ${n}-${i}` } })
            : kind === 1
              ? await request('GET', `Basic/${seedId}`)
              : await request('GET', 'Basic?_count=5');
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        if (res.status >= 500) {
          if (res.status !== 503 || res.body?.resourceType !== 'OperationOutcome' || !res.retryAfter) {
            unexpected.push(res);
          }
        } else if (res.status >= 300) {
          unexpected.push(res);
        }
      }
    };
    const clients = Array.from({ length: 20 }, (_, n) => client(n).catch((error: unknown) => unexpected.push(error)));
    let terminated = 0;
    for (let round = 0; round < 5; round++) {
      await new Promise((r) => setTimeout(r, 300));
      terminated += await terminateBackends();
    }
    await new Promise((r) => setTimeout(r, 300));
    stop = true;
    await Promise.all(clients);

    expect(terminated).toBeGreaterThan(0);
    expect(server.child.exitCode, output).toBeNull();
    expect(unexpected, output).toEqual([]);
    expect(statuses.get(200) ?? 0).toBeGreaterThan(0);
    // Requests were caught by the terminations (not only idle connections).
    expect(statuses.get(503) ?? 0, JSON.stringify([...statuses])).toBeGreaterThan(0);

    // Serves again by itself: reads, writes and the health check.
    await expect.poll(async () => (await request('GET', `Basic/${seedId}`)).status, { timeout: 20_000 }).toBe(200);
    expect((await request('POST', 'Basic', { resourceType: 'Basic', code: { text: 'after' } })).status).toBe(201);
    expect((await fetch(`${server.baseUrl}/healthz`)).status).toBe(200);
    // The job queue lived through it too: a bulk export (a job) runs to the end.
    const started = await request('GET', '$export?_type=Basic', undefined, { prefer: 'respond-async' });
    expect(started.status).toBe(202);
    const statusPath = started.location!.slice(started.location!.indexOf('/fhir/R4/') + '/fhir/R4/'.length);
    await expect
      .poll(async () => (await request('GET', statusPath)).status, { timeout: 30_000, interval: 200 })
      .toBe(200);
    expect(server.child.exitCode, output).toBeNull();
  });
});
