import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testDatabaseKind, type TestDatabase } from '../testing/database.ts';
import { startServerProcess, type ServerProcess } from '../testing/server-process.ts';
import { testSystemToken } from '../auth/testing/tokens.ts';
import { loadConfig } from '../config/config.ts';
import { createPlatform } from './app.ts';

/**
 * Two CareWeave processes share one PostgreSQL: optimistic locking must lose no update, and
 * conditional creates must not duplicate, whichever process a request lands on.
 */
describe.skipIf(testDatabaseKind() !== 'postgres')('two app processes on one PostgreSQL', () => {
  let database: TestDatabase;
  let servers: ServerProcess[] = [];
  let token = '';

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    const env = {
      CAREWEAVE_DATABASE_URL: database.url!,
      CAREWEAVE_DEMO_DATA: 'false',
      CAREWEAVE_BASE_URL: 'http://careweave.test',
    };
    servers = await Promise.all([startServerProcess(env), startServerProcess(env)]);
    // Signed with the key the servers created in the shared database (issuer: BASE_URL/auth).
    token = await testSystemToken(createPlatform(loadConfig(env), database.db));
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    await database?.dispose();
  });

  const fhir = async (
    server: ServerProcess,
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) => {
    const res = await fetch(`${server.baseUrl}/fhir/R4/${path}`, {
      method,
      headers: { 'content-type': 'application/fhir+json', authorization: `Bearer ${token}`, ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, etag: res.headers.get('etag'), body: text ? JSON.parse(text) : undefined };
  };

  it('loses no update when both processes increment one resource with If-Match', async () => {
    const [a, b] = servers as [ServerProcess, ServerProcess];
    const created = await fhir(a, 'POST', 'Basic', {
      resourceType: 'Basic',
      code: { text: 'counter' },
      extension: [{ url: 'http://careweave.test/counter', valueInteger: 0 }],
    });
    const id = created.body.id as string;
    const increment = async (server: ServerProcess): Promise<number> => {
      for (let attempt = 0; ; attempt++) {
        const current = await fhir(server, 'GET', `Basic/${id}`);
        const next = {
          ...current.body,
          extension: [
            { url: 'http://careweave.test/counter', valueInteger: current.body.extension[0].valueInteger + 1 },
          ],
        };
        const res = await fhir(server, 'PUT', `Basic/${id}`, next, { 'if-match': current.etag! });
        if (res.status === 200) {
          return attempt;
        }
        expect(res.status).toBe(412);
      }
    };
    const perWorker = 15;
    const workers = [a, b, a, b].map(async (server) => {
      let retries = 0;
      for (let i = 0; i < perWorker; i++) {
        retries += await increment(server);
      }
      return retries;
    });
    const retries = (await Promise.all(workers)).reduce((x, y) => x + y, 0);
    const final = await fhir(b, 'GET', `Basic/${id}`);
    expect(final.body.extension[0].valueInteger).toBe(4 * perWorker);
    expect(final.body.meta.versionId).toBe(String(4 * perWorker + 1));
    // The workers really did collide, so the locking was exercised.
    expect(retries).toBeGreaterThan(0);
  });

  it('creates exactly one resource when both processes race a conditional create', async () => {
    const [a, b] = servers as [ServerProcess, ServerProcess];
    const body = {
      resourceType: 'Patient',
      identifier: [{ system: 'https://fhir.nhs.uk/Id/nhs-number', value: '9000000033' }],
    };
    const header = { 'if-none-exist': 'identifier=https://fhir.nhs.uk/Id/nhs-number|9000000033' };
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => fhir(i % 2 ? a : b, 'POST', 'Patient', body, header)),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
  });

  it('serves a write made through one process from the other immediately', async () => {
    const [a, b] = servers as [ServerProcess, ServerProcess];
    const created = await fhir(a, 'POST', 'Patient', { resourceType: 'Patient', name: [{ family: 'Shared' }] });
    const read = await fhir(b, 'GET', `Patient?family=shared`);
    expect(read.body.entry[0].resource.id).toBe(created.body.id);
  });
});
