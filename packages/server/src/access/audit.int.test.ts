import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { auditAppendOnlyTriggers } from '../db/migrations/002-access.ts';
import { migrate, migrations } from '../db/migrate.ts';
import { AUDIT_CHECKPOINT_EVERY } from '../db/migrations/005-audit-chains.ts';
import { createTestDatabase, testDatabaseKind, type TestDatabase } from '../testing/database.ts';
import { AuditLog } from './audit.ts';
import { ACTORS } from './testing/scenario.ts';

let database: TestDatabase;
let audit: AuditLog;

beforeAll(async () => {
  database = await createTestDatabase();
  audit = new AuditLog(database.db);
});

afterAll(async () => {
  await database?.dispose();
});

const event = (n: number) => ({
  interaction: 'read' as const,
  resources: [`Observation/o${n}`],
  patients: [`p${n % 3}`],
});

/** Runs SQL with the append-only triggers dropped, as a superuser tampering with the table would. */
async function tamper(sql: string): Promise<void> {
  await database.db.exec(
    'drop trigger audit_log_no_change on audit_log; drop trigger audit_log_no_truncate on audit_log',
  );
  try {
    await database.db.exec(sql);
  } finally {
    await database.db.exec(auditAppendOnlyTriggers);
  }
}

describe('audit log', () => {
  it('chains rows written concurrently, in seq order', async () => {
    await Promise.all(Array.from({ length: 40 }, (_, n) => audit.record(ACTORS.gp, event(n))));
    await Promise.all(
      Array.from({ length: 10 }, (_, n) =>
        database.db.transaction(async (tx) => {
          await audit.record(ACTORS.nurse, event(100 + n), tx);
          await audit.record(ACTORS.nurse, event(200 + n), tx);
        }),
      ),
    );
    const rows = await audit.list({ count: 1000 });
    expect(rows).toHaveLength(60);
    expect(await audit.verify()).toMatchObject({ ok: true, checked: 60 });
    expect(await audit.verify(7)).toMatchObject({ ok: true, checked: 60 });
    // Each chain links its own rows in seq order, from the genesis hash.
    const last = new Map<number, string>();
    for (const row of [...rows].reverse()) {
      expect(row.prevHash).toBe(last.get(row.chain) ?? '0'.repeat(64));
      last.set(row.chain, row.hash);
    }
    // A transaction's rows stay on one chain, one after the other.
    const nurse = rows.filter((r) => r.actor.userId === 'user-nurse').reverse();
    for (let n = 0; n < 10; n++) {
      const pair = nurse.filter(
        (r) => r.resourceRefs[0] === `Observation/o${100 + n}` || r.resourceRefs[0] === `Observation/o${200 + n}`,
      );
      expect(pair[1]!.chain).toBe(pair[0]!.chain);
      expect(pair[1]!.prevHash).toBe(pair[0]!.hash);
    }
  });

  it('records who, what and why', async () => {
    await audit.record(ACTORS.gp, { ...event(7), query: 'Observation?patient=p1' });
    const [row] = await audit.list({ count: 1 });
    expect(row).toMatchObject({
      actor: {
        kind: 'staff',
        userId: 'user-gp',
        practitioner: 'Practitioner/pr-gp',
        organization: 'Organization/org-gp',
        role: 'R8000',
      },
      patientIds: ['p1'],
      resourceRefs: ['Observation/o7'],
      interaction: 'read',
      purpose: 'direct-care',
      decision: 'permit',
      query: 'Observation?patient=p1',
    });
    expect((await audit.list({ patient: 'p1', count: 1000 })).every((r) => r.patientIds.includes('p1'))).toBe(true);
  });

  it('can buffer reads and write them in order, in one statement, chained', async () => {
    const buffered = new AuditLog(database.db, { bufferReadsMs: 60_000 });
    const [before] = await audit.list({ count: 1 });
    for (let n = 0; n < 5; n++) {
      await buffered.record(n % 2 ? ACTORS.nurse : ACTORS.gp, { ...event(300 + n), query: `q${n}` });
    }
    await buffered.record(ACTORS.gp, { interaction: 'read', resources: ['Organization/x'], patients: [] });
    expect((await audit.list({ count: 1 }))[0]!.seq).toBe(before!.seq); // still queued
    const rows = (await buffered.list({ count: 5 })).reverse(); // list flushes first
    expect(rows.map((r) => r.query)).toEqual(['q0', 'q1', 'q2', 'q3', 'q4']);
    expect(rows[1]).toMatchObject({ patientIds: ['p1'], resourceRefs: ['Observation/o301'], purpose: 'direct-care' });
    expect(rows[1]!.actor).toMatchObject({ userId: 'user-nurse' });
    expect(await audit.verify()).toMatchObject({ ok: true });
  });

  it('group-commits concurrent reads: each answered only once its row is in, in few statements', async () => {
    const grouped = new AuditLog(database.db);
    const [before] = await audit.list({ count: 1 });
    const statements = vi.spyOn(database.db, 'query');
    try {
      await Promise.all(
        Array.from({ length: 60 }, (_, n) => grouped.record(ACTORS.gp, { ...event(400 + n), query: `g${n}` })),
      );
      // The first read is written alone and at once, the 59 that arrive meanwhile together.
      expect(statements.mock.calls.length).toBeLessThanOrEqual(3);
    } finally {
      statements.mockRestore();
    }
    // Nothing is left queued: every read's row was committed before its promise resolved.
    const rows = await database.db.query<{ query: string }>('select query from audit_log where seq > $1 order by seq', [
      before!.seq,
    ]);
    expect(rows.map((r) => r.query).sort()).toEqual(Array.from({ length: 60 }, (_, n) => `g${n}`).sort());
    expect(await audit.verify()).toMatchObject({ ok: true });
  });

  it('fails every read of a group whose statement fails, so no unaudited read is answered', async () => {
    const failing = new AuditLog({
      ...database.db,
      query: () => Promise.reject(new Error('connection terminated')),
    });
    const reads = Array.from({ length: 5 }, (_, n) => failing.record(ACTORS.gp, event(500 + n)));
    for (const read of reads) {
      await expect(read).rejects.toThrow('connection terminated');
    }
  });

  it('does not retry a group row by row when the database timed it out, which would only add load', async () => {
    let statements = 0;
    const timedOut = Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' });
    const busy = new AuditLog({
      ...database.db,
      query: () => {
        statements++;
        return Promise.reject(timedOut);
      },
    });
    const reads = Array.from({ length: 6 }, (_, n) => busy.record(ACTORS.gp, event(520 + n)));
    for (const read of reads) {
      await expect(read).rejects.toThrow('statement timeout');
    }
    // The first read alone, then the five that waited as one group: two statements, not 1 + 1 + 5.
    expect(statements).toBe(2);
  });

  it('refuses updates, deletes and truncation', async () => {
    await expect(database.db.query(`update audit_log set decision = 'deny'`)).rejects.toThrow(/append-only/);
    await expect(database.db.query('delete from audit_log')).rejects.toThrow(/append-only/);
    await expect(database.db.query('truncate audit_log')).rejects.toThrow(/append-only/);
    expect(await audit.verify()).toMatchObject({ ok: true });
  });

  it('detects an edited row', async () => {
    const [target] = await database.db.query<{ seq: number }>(
      'select seq from audit_log order by seq limit 1 offset 10',
    );
    await tamper(`update audit_log set purpose = 'commissioning' where seq = ${Number(target!.seq)}`);
    expect(await audit.verify()).toMatchObject({ ok: false, firstBrokenSeq: Number(target!.seq) });
    expect(await audit.verify(3)).toMatchObject({ ok: false, firstBrokenSeq: Number(target!.seq) });
    await expect(database.db.query(`update audit_log set purpose = 'direct-care'`)).rejects.toThrow(/append-only/);
  });

  it('detects a removed row', async () => {
    const fresh = await createTestDatabase();
    try {
      const log = new AuditLog(fresh.db);
      for (let n = 0; n < 5; n++) {
        await log.record(ACTORS.gp, event(n));
      }
      await fresh.db.exec('drop trigger audit_log_no_change on audit_log');
      await fresh.db.exec('delete from audit_log where seq = 3');
      await fresh.db.exec(auditAppendOnlyTriggers.split(';')[0]!);
      expect(await log.verify()).toMatchObject({
        ok: false,
        firstBrokenSeq: 4,
        reason: expect.stringMatching(/prev_hash/),
      });
    } finally {
      await fresh.dispose();
    }
  });
});

/** A database with the schema as it was before migration 005 (one global chain). */
async function databaseBefore005(): Promise<TestDatabase> {
  const database = await createTestDatabase(undefined, { migrated: false });
  await database.db.exec(
    'create table schema_migration (version integer primary key, name text not null, applied_at timestamptz not null default now())',
  );
  for (const migration of migrations.filter((m) => m.version < 5)) {
    await database.db.exec(migration.sql);
    await database.db.query('insert into schema_migration (version, name) values ($1, $2)', [
      migration.version,
      migration.name,
    ]);
  }
  return database;
}

describe('audit chains (migration 005)', () => {
  it('keeps rows written before the migration valid, and links chain 0 on from them', async () => {
    const legacy = await databaseBefore005();
    try {
      const log = new AuditLog(legacy.db);
      for (let n = 0; n < 3; n++) {
        await log.record(ACTORS.gp, event(n));
      }
      await migrate(legacy.db);
      const [last] = await legacy.db.query<{ hash: string }>('select hash from audit_log order by seq desc limit 1');
      for (let n = 3; n < 6; n++) {
        await log.record(ACTORS.nurse, event(n));
      }
      expect(await log.verify()).toMatchObject({ ok: true, checked: 6 });
      const [next] = await legacy.db.query<{ prev_hash: string }>(
        'select prev_hash from audit_log where chain = 0 and seq > 3 order by seq limit 1',
      );
      if (next) {
        expect(next.prev_hash).toBe(last!.hash); // chain 0 continues the old chain
      }
    } finally {
      await legacy.dispose();
    }
  });

  it.skipIf(testDatabaseKind() === 'pglite')(
    'writes a large buffered batch in linear time, even with plans cached while the table was empty',
    async () => {
      const fresh = await createTestDatabase();
      try {
        await fresh.db.exec('analyze audit_log');
        const direct = new AuditLog(fresh.db);
        for (let n = 0; n < 20; n++) {
          await direct.record(ACTORS.gp, event(n)); // the trigger's plans are made (and cached) now
        }
        const buffered = new AuditLog(fresh.db, { bufferReadsMs: 600_000 });
        for (let n = 0; n < 8000; n++) {
          await buffered.record(ACTORS.gp, event(n));
        }
        const started = Date.now();
        await buffered.flush();
        // A seq scan per row (the plan for an empty table) took ~15 s here; the index, under 1 s.
        expect(Date.now() - started).toBeLessThan(5000);
        expect(await buffered.verify()).toMatchObject({ ok: true, checked: 8020 });
      } finally {
        await fresh.dispose();
      }
    },
  );

  it.skipIf(testDatabaseKind() === 'pglite')(
    'spreads concurrent writers over several chains, which all verify',
    async () => {
      const fresh = await createTestDatabase();
      try {
        const log = new AuditLog(fresh.db);
        // Transactions that overlap (each holds its chain until it commits) must not queue on one
        // lock: none commits before all six have written, so if they queued, the second would wait
        // for the first forever and the test would time out.
        let recorded = 0;
        let allRecorded: () => void = () => undefined;
        const barrier = new Promise<void>((resolve) => (allRecorded = resolve));
        await Promise.all(
          Array.from({ length: 6 }, (_, n) =>
            fresh.db.transaction(async (tx) => {
              await log.record(ACTORS.gp, event(n), tx);
              await tx.flush();
              if (++recorded === 6) {
                allRecorded();
              }
              await barrier;
              await log.record(ACTORS.gp, event(n + 10), tx);
            }),
          ),
        );
        const rows = await log.list({ count: 100 });
        // Six transactions open at once: six chains, each transaction's two rows on its own.
        expect(new Set(rows.map((r) => r.chain)).size).toBe(6);
        await Promise.all(Array.from({ length: 200 }, (_, n) => log.record(ACTORS.nurse, event(100 + n))));
        const result = await log.verify(17);
        expect(result).toMatchObject({ ok: true, checked: 212 });
        expect(Object.keys(result.heads ?? {}).length).toBeGreaterThan(1);
      } finally {
        await fresh.dispose();
      }
    },
  );

  it.skipIf(testDatabaseKind() === 'pglite')(
    'detects the removal of the last row of a chain through a later checkpoint',
    async () => {
      const fresh = await createTestDatabase();
      try {
        const log = new AuditLog(fresh.db);
        await Promise.all(
          Array.from({ length: 4 }, (_, n) =>
            fresh.db.transaction(async (tx) => {
              await log.record(ACTORS.gp, event(n), tx);
              await tx.query('select pg_sleep(0.2)');
            }),
          ),
        );
        // The next row is a checkpoint (every AUDIT_CHECKPOINT_EVERY seq).
        await fresh.db.query(`select setval('audit_log_seq', ${AUDIT_CHECKPOINT_EVERY * 3 - 1})`);
        await log.record(ACTORS.nurse, event(50));
        const [checkpoint] = await log.list({ count: 1 });
        expect(checkpoint!.seq).toBe(AUDIT_CHECKPOINT_EVERY * 3);
        const [chain, [seq]] = Object.entries(checkpoint!.checkpoint ?? {})[0]!;
        expect(Number(chain)).not.toBe(checkpoint!.chain);
        expect(await log.verify()).toMatchObject({ ok: true, checked: 5 });

        await fresh.db.exec('drop trigger audit_log_no_change on audit_log');
        await fresh.db.exec(`delete from audit_log where seq = ${seq}`); // the head of its chain: no successor to notice
        await fresh.db.exec(auditAppendOnlyTriggers.split(';')[0]!);
        expect(await log.verify()).toMatchObject({
          ok: false,
          firstBrokenSeq: seq,
          chain: Number(chain),
          reason: expect.stringMatching(/missing: the checkpoint in row \d+ recorded it as the head of chain/),
        });
      } finally {
        await fresh.dispose();
      }
    },
  );
});
