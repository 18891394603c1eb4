/**
 * What kind of database failure an error is, for the answer the caller gets (src/fhir/database-errors.ts)
 * and for loops that must outlive it (job queue, event reactions, MLLP).
 */

/** The SQLSTATE of an error from PostgreSQL or PGlite (both set `code`), or undefined. */
export function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/** Node's socket errors when the server is not there (restart, network). */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH']);

/** node-postgres's messages for a connection that ended under it (it sets no code on these). */
const LOST_MESSAGES = [
  'Connection terminated',
  'Client has encountered a connection error and is not queryable',
  'Client was closed and is not queryable',
  'timeout exceeded when trying to connect',
  'Connection ended',
];

/**
 * True when the database connection was lost or could not be made: the statement did not run, or
 * its transaction was rolled back by the server (PostgreSQL never commits a transaction whose
 * connection dies before COMMIT is answered; see docs/DEPLOYMENT.md for the one ambiguous case).
 * - 57P01 admin_shutdown (pg_terminate_backend, a fast shutdown), 57P02 crash_shutdown,
 *   57P03 cannot_connect_now (starting up, shutting down, in recovery), class 08 connection exception;
 * - socket errors and node-postgres's "Connection terminated…" without a SQLSTATE.
 */
export function isConnectionLost(error: unknown): boolean {
  const state = sqlState(error);
  if (state !== undefined) {
    return state === '57P01' || state === '57P02' || state === '57P03' || state.startsWith('08');
  }
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && SOCKET_CODES.has(code)) {
    return true;
  }
  const message = error instanceof Error ? error.message : '';
  return LOST_MESSAGES.some((text) => message.startsWith(text));
}

/**
 * True when the database gave up on a statement for want of time or resources rather than for
 * anything in it: 57014 query_canceled (`statement_timeout`), class 53 insufficient resources (out of
 * memory, disk full, too many connections). Running the same work again at once, in pieces, would only
 * add to the load.
 */
export function isOverloaded(error: unknown): boolean {
  const state = sqlState(error);
  return state === '57014' || (state?.startsWith('53') ?? false);
}

/**
 * True for a write refused because the database is read-only: 25006 read_only_sql_transaction (a
 * hot standby, or `default_transaction_read_only = on`).
 */
export function isReadOnly(error: unknown): boolean {
  return sqlState(error) === '25006';
}
