import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../testing/app.ts';
import { testDatabaseKind, TEST_POSTGRES_URL } from '../testing/database.ts';

/**
 * Issue 15, fault 3: the database turns read-only under a running server (a hot standby, a
 * failover that left it on the old primary, `default_transaction_read_only = on`). Every read
 * writes its audit row, so nothing can be served: each request gets a 503 OperationOutcome that
 * names the cause (not a 500 "Internal server error"), and service comes back by itself when the
 * database is writable again.
 */
describe.skipIf(testDatabaseKind() !== 'postgres')('a read-only database', () => {
  let t: TestApp;
  const dbName = (): string => new URL(t.database.url!).pathname.slice(1);

  /** As the administrator, on the server's maintenance database. */
  const admin = async (sql: string, params: unknown[] = []): Promise<void> => {
    const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
    await client.connect();
    try {
      await client.query(sql, params);
    } finally {
      await client.end();
    }
  };
  /** Sets the database's default and ends its connections, so the pool's new ones take it. */
  const setReadOnly = async (on: boolean): Promise<void> => {
    await admin(
      `alter database ${dbName()} ${on ? 'set default_transaction_read_only = on' : 'reset default_transaction_read_only'}`,
    );
    await admin(
      `select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()`,
      [dbName()],
    );
  };

  beforeAll(async () => {
    t = await createTestApp();
    await t.platform.resources.update('Patient', 'ro1', {
      resourceType: 'Patient',
      id: 'ro1',
      name: [{ family: 'Ro' }],
    });
  });
  afterAll(async () => {
    await setReadOnly(false).catch(() => undefined);
    await t?.close();
  });

  const isReadOnlyAnswer = (res: { status: number; headers: Record<string, unknown>; body: any }): boolean =>
    res.status === 503 &&
    res.body?.resourceType === 'OperationOutcome' &&
    /read-only/.test(String(res.body.issue?.[0]?.diagnostics)) &&
    res.headers['retry-after'] !== undefined;

  it('answers reads and writes with a 503 naming the cause, and serves again once writable', async () => {
    expect((await t.fhir('GET', 'Patient/ro1')).status).toBe(200);
    await setReadOnly(true);

    // The first requests may meet the ended connections (503 too); then the database says read-only.
    await expect
      .poll(async () => isReadOnlyAnswer(await t.fhir('GET', 'Patient/ro1')), { timeout: 20_000, interval: 100 })
      .toBe(true);
    const write = await t.fhir('POST', 'Patient', { resourceType: 'Patient', name: [{ family: 'Blocked' }] });
    expect(isReadOnlyAnswer(write), JSON.stringify(write.body)).toBe(true);
    const search = await t.fhir('GET', 'Patient?family=Ro');
    expect(isReadOnlyAnswer(search), JSON.stringify(search.body)).toBe(true);
    // The cause is named; the database's own text (tables, statements) is not passed on.
    expect(JSON.stringify(write.body)).not.toMatch(/INSERT|audit_log|resource_version/i);

    await setReadOnly(false);
    await expect
      .poll(async () => (await t.fhir('GET', 'Patient/ro1')).status, { timeout: 20_000, interval: 100 })
      .toBe(200);
    const created = await t.fhir('POST', 'Patient', { resourceType: 'Patient', name: [{ family: 'After' }] });
    expect(created.status).toBe(201);
  });
});
