import { fromPglite, type ConstructorOptions, type Db } from 'pg-boss';
import type { Database, Queryable, SqlParam } from '../db/database.ts';

/** pg-boss's own connections per process on PostgreSQL, beside the platform's pool. */
export const QUEUE_POOL_SIZE = 4;

/**
 * How pg-boss reaches the platform's database. On PostgreSQL it opens a small pool of its own on
 * the same connection string (it needs a session of its own for LISTEN). On PGlite there is one
 * connection, in this process, so pg-boss shares it through its `db` option: pg-boss's PGlite
 * adapter runs parameterised statements with `query` and its multi-statement blocks with `exec`,
 * and PGlite queues every call behind an open transaction, so the two never interleave.
 */
export function queueConnection(db: Database): ConstructorOptions {
  const native = db.native;
  if (native.kind === 'pglite') {
    return { db: fromPglite(native.pglite), backend: 'pglite' };
  }
  const { connectionString } = native.pool.options;
  if (!connectionString) {
    throw new Error('The job queue needs the PostgreSQL pool to be opened with a connection string');
  }
  return { connectionString, max: QUEUE_POOL_SIZE };
}

/** A pg-boss `db` running on a transaction of ours, so a job is enqueued only if the transaction commits. */
export function inTransaction(tx: Queryable): Db {
  return {
    executeSql: async (text, values) => ({ rows: await tx.query(text, (values ?? []) as SqlParam[]) }),
  };
}
