import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testDatabaseKind, type TestDatabase } from '../testing/database.ts';
import type { Database } from './database.ts';

/**
 * `Queryable.queue` and `afterCommit` (src/db/database.ts): on PostgreSQL a transaction sends queued
 * statements with its next statement or its commit, in one write, so what they mean must not change —
 * they run in order, before what follows them, and a failure among them fails the transaction as it
 * always did. On PGlite a queued statement runs at once, with the same results.
 */
describe('queued statements in a transaction', () => {
  let t: TestDatabase;
  let db: Database;

  beforeAll(async () => {
    t = await createTestDatabase(testDatabaseKind(), { migrated: false });
    db = t.db;
    await db.exec(`create table queued_note (id int primary key, body text not null);
                   create table queued_counter (id int primary key, n int not null);
                   insert into queued_counter values (1, 0);`);
  });
  afterAll(async () => {
    await t.dispose();
  });

  const notes = async (): Promise<number[]> =>
    (await db.query<{ id: number }>('select id from queued_note order by id')).map((r) => r.id);

  it('runs queued statements in order, before the next statement, which sees what they wrote', async () => {
    const seen = await db.transaction(async (tx) => {
      await tx.queue('insert into queued_note (id, body) values ($1, $2)', [1, 'first']);
      await tx.queue('update queued_note set body = body || $2 where id = $1', [1, ', then second']);
      return tx.query<{ body: string }>('select body from queued_note where id = $1', [1]);
    });
    expect(seen).toEqual([{ body: 'first, then second' }]);
    expect(await notes()).toEqual([1]);
  });

  it('commits what is still queued when the work ends', async () => {
    await db.transaction(async (tx) => {
      await tx.queue('insert into queued_note (id, body) values ($1, $2)', [2, 'only queued']);
    });
    expect(await notes()).toEqual([1, 2]);
  });

  it('fails the next statement with the queued one’s own error, and rolls back everything', async () => {
    const failed = db.transaction(async (tx) => {
      await tx.queue('insert into queued_note (id, body) values ($1, $2)', [3, 'kept back by the rollback']);
      await tx.queue('insert into queued_note (id, body) values ($1, $2)', [1, 'a duplicate key']);
      await tx.query('select 1 where $1::int = 1', [1]);
      return 'not reached';
    });
    // 23505: the duplicate key itself, not "current transaction is aborted" (25P02) from the select.
    await expect(failed).rejects.toMatchObject({ code: '23505' });
    expect(await notes()).toEqual([1, 2]);
  });

  it('fails the commit when the last queued statement fails, and keeps nothing', async () => {
    const committed: string[] = [];
    const failed = db.transaction(async (tx) => {
      await tx.queue('insert into queued_note (id, body) values ($1, $2)', [4, 'kept back by the rollback']);
      tx.afterCommit(() => committed.push('told'));
      await tx.queue('insert into queued_note (id, body) values ($1, $2)', [2, 'a duplicate key']);
    });
    await expect(failed).rejects.toMatchObject({ code: '23505' });
    expect(await notes()).toEqual([1, 2]);
    expect(committed).toEqual([]);
  });

  it('sends nothing when the work throws before its first statement, and the database stays usable', async () => {
    const failed = db.transaction(async (tx) => {
      await tx.queue('insert into queued_note (id, body) values ($1, $2)', [5, 'never sent']);
      throw new Error('refused before any statement');
    });
    await expect(failed).rejects.toThrow('refused before any statement');
    expect(await notes()).toEqual([1, 2]);
    expect(await db.query('select 1 as one')).toEqual([{ one: 1 }]);
  });

  it('flush reports a queued failure where a savepoint can still undo it, and the rest commits', async () => {
    await db.transaction(async (tx) => {
      await tx.queue('insert into queued_note (id, body) values ($1, $2)', [7, 'kept']);
      await tx.exec('savepoint one_message');
      try {
        await tx.queue('insert into queued_note (id, body) values ($1, $2)', [8, 'undone with its savepoint']);
        await tx.queue('insert into queued_note (id, body) values ($1, $2)', [1, 'a duplicate key']);
        await tx.flush();
        expect.unreachable('the duplicate key is reported by flush');
      } catch (error) {
        expect(error).toMatchObject({ code: '23505' });
        await tx.exec('rollback to savepoint one_message');
      }
    });
    expect(await notes()).toEqual([1, 2, 7]);
  });

  it.skipIf(testDatabaseKind() !== 'postgres')(
    'refuses to report as committed a transaction whose failure some code swallowed (COMMIT answered ROLLBACK)',
    async () => {
      const told: string[] = [];
      const failed = db.transaction(async (tx) => {
        await tx.queue('insert into queued_note (id, body) values ($1, $2)', [9, 'lost with the transaction']);
        await tx.queue('insert into queued_note (id, body) values ($1, $2)', [2, 'a duplicate key']);
        // A careless reader that ignores every error, as some "best effort" lookups do.
        await tx.query('select 1 where $1::int = 1', [1]).catch(() => undefined);
        tx.afterCommit(() => told.push('committed'));
      });
      await expect(failed).rejects.toThrow(/rolled back/);
      expect(told).toEqual([]);
      expect(await notes()).toEqual([1, 2, 7]);
    },
  );

  it('calls afterCommit callbacks once committed, and one that throws undoes nothing', async () => {
    const order: string[] = [];
    await db.transaction(async (tx) => {
      await tx.queue('insert into queued_note (id, body) values ($1, $2)', [6, 'committed']);
      tx.afterCommit(() => {
        throw new Error('a careless listener');
      });
      tx.afterCommit(() => order.push('after commit'));
      order.push('work done');
    });
    expect(order).toEqual(['work done', 'after commit']);
    expect(await notes()).toEqual([1, 2, 6, 7]);
    // Outside a transaction, what was written is already committed: the callback runs at once.
    db.afterCommit(() => order.push('at once'));
    expect(order).toEqual(['work done', 'after commit', 'at once']);
  });

  it('keeps a queued lock ahead of the read it protects: concurrent increments lose nothing', async () => {
    const increment = (): Promise<void> =>
      db.transaction(async (tx) => {
        await tx.queue('select pg_advisory_xact_lock($1::bigint)', [4242], { genericPlan: true });
        const [row] = await tx.query<{ n: number }>('select n from queued_counter where id = $1', [1]);
        await tx.queue('update queued_counter set n = $2 where id = $1', [1, row!.n + 1], { genericPlan: true });
      });
    await Promise.all(Array.from({ length: 40 }, increment));
    expect(await db.query('select n from queued_counter where id = 1')).toEqual([{ n: 40 }]);
  });

  it('forces a generic plan only for the statements that ask for one (PostgreSQL)', async () => {
    const modes = await db.transaction(async (tx) => {
      const generic = await tx.query<{ mode: string }>(
        "select current_setting('plan_cache_mode') as mode where $1::int = 1",
        [1],
        { genericPlan: true },
      );
      const chosen = await tx.query<{ mode: string }>(
        "select current_setting('plan_cache_mode') as mode where $1::int = 1",
        [2 - 1],
      );
      await tx.queue('select $1::int', [1], { genericPlan: true });
      const search = await tx.query<{ mode: string }>(
        "select current_setting('plan_cache_mode') as mode where $1::int = 1",
        [1],
        { reusePlan: false },
      );
      return [generic[0]?.mode, chosen[0]?.mode, search[0]?.mode];
    });
    expect(modes).toEqual([testDatabaseKind() === 'postgres' ? 'force_generic_plan' : 'auto', 'auto', 'auto']);
    // And none of it outlives the transaction.
    expect(await db.query("select current_setting('plan_cache_mode') as mode")).toEqual([{ mode: 'auto' }]);
  });
});
