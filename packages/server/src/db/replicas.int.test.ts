import type { Bundle, Observation, Patient } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actorClient } from '../access/testing/actor-client.ts';
import { ACTORS, loadScenario } from '../access/testing/scenario.ts';
import { createTestApp, type TestApp } from '../testing/app.ts';
import { testDatabaseKind } from '../testing/database.ts';
import { migrate } from './migrate.ts';
import { openPostgres } from './postgres.ts';
import { startReplicatedCluster, type ReplicatedCluster } from './testing/replicated-cluster.ts';

/**
 * Read replicas for real (issue 15, *Scale beyond one machine*): a PostgreSQL primary and a
 * streaming replica made by `pg_basebackup`, the server reading from the replica, the replica's
 * replay paused to make lag visible, then stopped.
 */
describe.skipIf(testDatabaseKind() !== 'postgres')('read replicas', () => {
  let cluster: ReplicatedCluster;
  let t: TestApp;
  let client: ReturnType<typeof actorClient>;
  const gp = ACTORS.gp;

  /** What the GP reads of p1's community observation (its code text is the marker the tests change). */
  const noteSeenByGp = async (): Promise<string | undefined> => {
    const response = await client.as(gp, 'GET', 'Observation/p1-comm-obs');
    expect(response.status).toBe(200);
    return (response.body as Observation).code?.text;
  };
  const writeNote = async (text: string): Promise<void> => {
    const current = (await t.fhir('GET', 'Observation/p1-comm-obs')).body as Observation;
    expect((await t.fhir('PUT', 'Observation/p1-comm-obs', { ...current, code: { text } })).status).toBe(200);
  };
  /** A write that changes access facts (p1's registration): every caller's reads wait for it. */
  const touchP1 = async (): Promise<void> => {
    const current = (await t.fhir('GET', 'Patient/p1')).body as Patient;
    expect((await t.fhir('PUT', 'Patient/p1', { ...current, active: true })).status).toBe(200);
  };
  const replicaStatus = () => t.platform.replicas!.status()[0]!;
  const caughtUp = async (): Promise<boolean> => {
    const [primary] = await cluster.sql('primary', 'select pg_current_wal_lsn()::text as lsn');
    const [replica] = await cluster.sql(
      'replica',
      'select pg_last_wal_replay_lsn() >= $$' + String(primary!.lsn) + '$$::pg_lsn as ok',
    );
    return replica!.ok === true;
  };

  const until = async (condition: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> => {
    for (const started = Date.now(); !(await condition());) {
      if (Date.now() - started > timeoutMs) {
        throw new Error('timed out');
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };

  beforeAll(async () => {
    cluster = await startReplicatedCluster();
    const db = await openPostgres(cluster.primaryUrl, 8);
    await migrate(db);
    t = await createTestApp(
      {
        CAREWEAVE_DATABASE_URL: cluster.primaryUrl,
        CAREWEAVE_DATABASE_REPLICA_URLS: cluster.replicaUrl,
        CAREWEAVE_DATABASE_REPLICA_CHECK_MS: '100',
        CAREWEAVE_DATABASE_REPLICA_MAX_LAG_BYTES: String(1024 * 1024),
        CAREWEAVE_DATABASE_REPLICA_MAX_LAG_MS: '4000',
      },
      { database: { db, url: cluster.primaryUrl, dispose: () => db.close() } },
    );
    await t.app.ready();
    client = actorClient(t);
    await loadScenario(t.platform.db, t.fhirBase);
    await client.tokenFor(gp);
    await until(caughtUp);
    await until(() => replicaStatus().healthy);
  }, 120_000);

  afterAll(async () => {
    await t?.close();
    cluster?.close();
  });

  it('serves another caller’s reads from the replica, audited on the primary', async () => {
    await cluster.sql('replica', 'select pg_wal_replay_pause()');
    try {
      await writeNote('Primaryonly');
      // The system client wrote it and reads its own write (from the primary).
      expect(((await t.fhir('GET', 'Observation/p1-comm-obs')).body as Observation).code?.text).toBe('Primaryonly');
      const auditedBefore = await t.platform.db.query<{ n: string }>(
        `select count(*) as n from audit_log where actor->>'userId' = $1`,
        [gp.userId],
      );
      // The GP's read goes to the replica, whose replay is paused: the text it had.
      expect(await noteSeenByGp()).not.toBe('Primaryonly');
      const auditedAfter = await t.platform.db.query<{ n: string }>(
        `select count(*) as n from audit_log where actor->>'userId' = $1`,
        [gp.userId],
      );
      expect(Number(auditedAfter[0]!.n)).toBeGreaterThan(Number(auditedBefore[0]!.n));
    } finally {
      await cluster.sql('replica', 'select pg_wal_replay_resume()');
    }
    await expect.poll(noteSeenByGp, { timeout: 20_000 }).toBe('Primaryonly');
  });

  it('a write that changes who may see what holds every caller’s reads until the replica has it', async () => {
    await expect.poll(caughtUp, { timeout: 20_000 }).toBe(true);
    await cluster.sql('replica', 'select pg_wal_replay_pause()');
    try {
      await writeNote('BeforeAccessChange');
      expect(await noteSeenByGp()).not.toBe('BeforeAccessChange'); // from the paused replica
      // e.g. a consent withdrawn, a registration changed: no reader may rely on the old decision.
      await touchP1();
      expect(await noteSeenByGp()).toBe('BeforeAccessChange'); // from the primary
    } finally {
      await cluster.sql('replica', 'select pg_wal_replay_resume()');
    }
  });

  it('a caller reads their own writes at once, on any instance, while the replica lags', async () => {
    await expect.poll(caughtUp, { timeout: 20_000 }).toBe(true);
    await cluster.sql('replica', 'select pg_wal_replay_pause()');
    try {
      const created = await client.as(gp, 'POST', 'Observation', {
        resourceType: 'Observation',
        status: 'final',
        code: { text: 'Blood pressure' },
        subject: { reference: 'Patient/p1' },
      });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      const id = (created.body as { id: string }).id;
      expect((await client.as(gp, 'GET', `Observation/${id}`)).status).toBe(200);
      const search = await client.as(gp, 'GET', `Observation?_id=${id}`);
      expect((search.body as Bundle).entry).toHaveLength(1);
      // The fence is on the primary, so another instance sharing it routes the same way.
      const [fence] = await t.platform.db.query<{ n: string }>(
        `select count(*) as n from replica_read_fence where caller = $1`,
        [`user:${gp.userId}`],
      );
      expect(Number(fence!.n)).toBe(1);
    } finally {
      await cluster.sql('replica', 'select pg_wal_replay_resume()');
    }
  });

  it('stops reading from a replica that falls too far behind, and goes back when it catches up', async () => {
    await expect.poll(caughtUp, { timeout: 20_000 }).toBe(true);
    await cluster.sql('replica', 'select pg_wal_replay_pause()');
    try {
      await writeNote('Lagging');
      // More than the 1 MiB allowed: the next health check takes the replica out of service.
      await cluster.sql(
        'primary',
        `create table wal_filler as select repeat('x', 1000) as x from generate_series(1, 3000)`,
      );
      await expect.poll(() => replicaStatus().healthy, { timeout: 10_000 }).toBe(false);
      expect(replicaStatus().error).toMatch(/bytes of WAL behind the primary/);
      expect(await noteSeenByGp()).toBe('Lagging');
    } finally {
      await cluster.sql('replica', 'select pg_wal_replay_resume()');
    }
    await expect.poll(() => replicaStatus().healthy, { timeout: 20_000 }).toBe(true);
  });

  it('stops reading from a replica that replays nothing while behind, however little it lags', async () => {
    await expect.poll(caughtUp, { timeout: 20_000 }).toBe(true);
    await cluster.sql('replica', 'select pg_wal_replay_pause()');
    try {
      await writeNote('Stuck');
      await expect.poll(() => replicaStatus().healthy, { timeout: 10_000 }).toBe(false);
      expect(replicaStatus().error).toMatch(/replaying nothing for \d+ ms/);
      expect(await noteSeenByGp()).toBe('Stuck');
    } finally {
      await cluster.sql('replica', 'select pg_wal_replay_resume()');
    }
    await expect.poll(() => replicaStatus().healthy, { timeout: 20_000 }).toBe(true);
  });

  it('keeps serving every read from the primary when the replica stops', async () => {
    await writeNote('Survivor');
    await expect.poll(noteSeenByGp, { timeout: 20_000 }).toBe('Survivor');
    cluster.stopReplica();
    // Reads in flight and just after fall back to the primary; none fails.
    for (let i = 0; i < 5; i++) {
      expect(await noteSeenByGp()).toBe('Survivor');
    }
    await expect.poll(() => replicaStatus().healthy, { timeout: 10_000 }).toBe(false);
    await writeNote('AfterReplica');
    expect(await noteSeenByGp()).toBe('AfterReplica');
  });
});
