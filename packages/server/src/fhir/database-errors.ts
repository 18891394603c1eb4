import { issue, OperationOutcomeError, outcome, tooCostly } from './outcome.ts';

/** The SQLSTATE of an error from PostgreSQL or PGlite (both set `code`), or undefined. */
export function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/**
 * The OperationOutcome for a database error that the request, not the server, is answerable for;
 * undefined for any other error (a 500). Checks in front of the database should catch bad input
 * first; this is the backstop that keeps what they miss from being a 500.
 * - 57014 query_canceled, by the statement timeout (CAREWEAVE_STATEMENT_TIMEOUT_MS): 503 too-costly;
 *   the request may succeed when the server is less busy, or narrowed.
 * - class 22 data exception (a value that does not cast, NUL in text, a number out of range): 400.
 * - class 54 program limit exceeded (a value too long for an index, an expression too complex): 413.
 * The database's own message is not passed on: it can name tables and indexes.
 */
export function fromDatabaseError(error: unknown): OperationOutcomeError | undefined {
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
