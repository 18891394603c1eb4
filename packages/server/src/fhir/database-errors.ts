import { isConnectionLost, isReadOnly, sqlState } from '../db/errors.ts';
import { issue, OperationOutcomeError, outcome, tooCostly } from './outcome.ts';

export { sqlState } from '../db/errors.ts';

/** Seconds a client is asked to wait before trying again after the database went away. */
export const DATABASE_RETRY_AFTER_SECONDS = 2;

/**
 * The OperationOutcome for a database error that the request, not the server, is answerable for;
 * undefined for any other error (a 500). Checks in front of the database should catch bad input
 * first; this is the backstop that keeps what they miss from being a 500.
 * - the connection to the database was lost or cannot be made (a restart, pg_terminate_backend):
 *   503 transient with Retry-After; the pool reconnects by itself (src/db/postgres.ts).
 * - 25006 read_only_sql_transaction (a hot standby, default_transaction_read_only): 503 naming it.
 * - 57014 query_canceled, by the statement timeout (CAREWEAVE_STATEMENT_TIMEOUT_MS): 503 too-costly;
 *   the request may succeed when the server is less busy, or narrowed.
 * - class 22 data exception (a value that does not cast, NUL in text, a number out of range): 400.
 * - class 54 program limit exceeded (a value too long for an index, an expression too complex): 413.
 * The database's own message is not passed on: it can name tables and indexes.
 */
export function fromDatabaseError(error: unknown): OperationOutcomeError | undefined {
  if (isConnectionLost(error)) {
    return new OperationOutcomeError(
      outcome(
        issue(
          'error',
          'transient',
          'The connection to the database was lost or could not be made; nothing of this request was ' +
            'committed unless a later read shows it. Try again shortly',
        ),
      ),
      503,
      { 'retry-after': String(DATABASE_RETRY_AFTER_SECONDS) },
    );
  }
  if (isReadOnly(error)) {
    return new OperationOutcomeError(
      outcome(
        issue(
          'error',
          'transient',
          'The database is read-only (a standby, or default_transaction_read_only is on), so this request, ' +
            'which writes (a change, or the audit row of a read), cannot be served here',
        ),
      ),
      503,
      { 'retry-after': String(DATABASE_RETRY_AFTER_SECONDS * 15) },
    );
  }
  const state = sqlState(error);
  if (state === undefined) {
    return undefined;
  }
  if (state === '57014') {
    return tooCostly(
      'The request took longer than the server allows for one database statement and was stopped; ' +
        'narrow it (fewer values, a more selective search) or try again later',
      503,
    );
  }
  if (state.startsWith('22')) {
    return new OperationOutcomeError(
      outcome(issue('error', 'invalid', `A value in the request cannot be used (database data exception ${state})`)),
      400,
    );
  }
  if (state.startsWith('54')) {
    return tooCostly(`A value in the request is too large for the database to store or search (${state})`, 413);
  }
  return undefined;
}
