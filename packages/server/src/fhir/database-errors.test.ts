import { describe, expect, test } from 'vitest';
import { fromDatabaseError, sqlState } from './database-errors.ts';

const dbError = (code: string, message = 'database said no'): Error => Object.assign(new Error(message), { code });

describe('database errors', () => {
  test.each([
    ['57014', 503, 'too-costly'],
    ['22007', 400, 'invalid'],
    ['22021', 400, 'invalid'],
    ['22P05', 400, 'invalid'],
    ['54000', 413, 'too-costly'],
  ])('SQLSTATE %s is a %i %s OperationOutcome', (code, status, issueCode) => {
    const refused = fromDatabaseError(dbError(code, 'index "search_string_value_idx" row size 9000 exceeds'));
    expect(refused?.status).toBe(status);
    expect(refused?.outcome.issue?.[0]?.code).toBe(issueCode);
    // The database's own words (which name tables and indexes) are not passed on.
    expect(JSON.stringify(refused?.outcome)).not.toContain('search_string_value_idx');
  });

  test.each([
    ['a unique violation (a server bug or a race)', dbError('23505')],
    ['a plain Error', new Error('boom')],
    ['not an error', 'boom'],
    ['null', null],
  ])('%s is left to the 500 path', (_name, error) => {
    expect(fromDatabaseError(error)).toBeUndefined();
  });

  test.each([
    ['pg_terminate_backend', dbError('57P01', 'terminating connection due to administrator command'), /connection/],
    ['a refused connection', dbError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432'), /connection/],
    ['a connection ended mid-query', new Error('Connection terminated unexpectedly'), /connection/],
    ['a read-only database', dbError('25006', 'cannot execute INSERT in a read-only transaction'), /read-only/],
  ])('%s is a 503 transient OperationOutcome with Retry-After, naming the cause', (_name, error, cause) => {
    const refused = fromDatabaseError(error);
    expect(refused?.status).toBe(503);
    expect(refused?.outcome.issue?.[0]?.code).toBe('transient');
    expect(refused?.outcome.issue?.[0]?.diagnostics).toMatch(cause);
    expect(Number(refused?.headers['retry-after'])).toBeGreaterThan(0);
    expect(JSON.stringify(refused?.outcome)).not.toMatch(/INSERT|127\.0\.0\.1/);
  });

  test('sqlState reads the five-character code', () => {
    expect(sqlState(dbError('57014'))).toBe('57014');
    expect(sqlState(dbError('FST_ERR_BAD_URL'))).toBeUndefined();
    expect(sqlState(undefined)).toBeUndefined();
  });
});
