import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditAppendOnlyTriggers } from '../db/migrations/002-access.ts';
import { createTestDatabase, type TestDatabase } from '../testing/database.ts';
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
    expect(await audit.verify()).toEqual({ ok: true, checked: 60 });
    expect(await audit.verify(7)).toEqual({ ok: true, checked: 60 });
    const bySeq = [...rows].reverse();
    bySeq.slice(1).forEach((row, i) => expect(row.prevHash).toBe(bySeq[i]!.hash));
    expect(bySeq[0]!.prevHash).toBe('0'.repeat(64));
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
