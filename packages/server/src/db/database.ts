import type { PGlite } from '@electric-sql/pglite';
import type pg from 'pg';

/**
 * The one database interface the platform uses. PGlite (embedded) and PostgreSQL both speak the
 * same SQL dialect, so repositories are written once against this.
 */
export type SqlParam = string | number | boolean | null | Date | readonly string[] | readonly number[] | object;

export interface QueryOptions {
  /**
   * PostgreSQL: run as a named prepared statement whose plan the connection may keep and reuse
   * (default true). Pass false for SQL whose best plan depends on its values — a search across
   * the population, where a common code wants a different plan from a rare one. PGlite ignores it.
   */
  reusePlan?: boolean;
  /**
   * PostgreSQL, in a transaction: use the statement's generic plan, made once per connection, even
   * where PostgreSQL would plan it again on every run. For statements whose plan cannot depend on
   * their values, which PostgreSQL re-plans anyway because an array parameter looks ten times longer
   * to a generic estimate than the one-element array it gets: the store's write and the audit
   * insert, whose planning cost about as much as running them. Elsewhere, and on PGlite, ignored.
   */
  genericPlan?: boolean;
}

export interface Queryable {
  query<T = Record<string, unknown>>(sql: string, params?: readonly SqlParam[], options?: QueryOptions): Promise<T[]>;
  /** Runs several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
  /**
   * Runs a statement whose rows nobody reads (a lock, an outbox or audit row, a derived fact). In a
   * PostgreSQL transaction it is not sent at once: it goes out in order with the transaction's next
   * statement (or its commit), in the same network write, so a write's bookkeeping costs no round
   * trips of its own. If it fails, that next statement fails with its error, and the transaction
   * rolls back as with any failure. Anywhere else it has run when the promise resolves.
   */
  queue(sql: string, params?: readonly SqlParam[], options?: QueryOptions): Promise<void>;
  /**
   * Sends what is queued and waits for it, so a failure among it is reported here: call it before a
   * boundary that must see that failure itself — the end of a `try` whose `catch` rolls back to a
   * savepoint, the end of a step whose errors are reported as that step's. Nothing queued: nothing sent.
   */
  flush(): Promise<void>;
  /**
   * Calls `callback` once what was written through this is committed: after its transaction's commit
   * (never, if it rolls back), or at once outside a transaction. For waking someone in this process
   * who will read it; `callback` must not throw (what it throws is dropped).
   */
  afterCommit(callback: () => void): void;
  /**
   * Set on a Citus coordinator whose FHIR store is sharded by patient (src/db/distributed.ts): the
   * store's rows then carry `shard_key`, and its tables are joined on it.
   */
  readonly distributed?: boolean;
}

/** Runs after-commit callbacks; one that throws does not stop the others or undo the commit. */
export function runAfterCommit(callbacks: readonly (() => void)[]): void {
  for (const callback of callbacks) {
    try {
      callback();
    } catch {
      // Documented: callbacks must not throw. The transaction has committed either way.
    }
  }
}

/** The driver underneath, for a library that issues its own SQL (the job queue, src/jobs/). */
export type NativeDriver = { kind: 'pglite'; pglite: PGlite } | { kind: 'postgres'; pool: pg.Pool };

export interface Database extends Queryable {
  readonly kind: 'pglite' | 'postgres';
  readonly native: NativeDriver;
  /** Runs `work` in one transaction; rolls back if it throws. */
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
