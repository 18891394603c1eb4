import { describe, expect, test } from 'vitest';
import { isConnectionLost, isReadOnly } from './errors.ts';

const withCode = (code: string, message = 'x'): Error => Object.assign(new Error(message), { code });

describe('database failure kinds', () => {
  test.each([
    ['57P01 admin shutdown (pg_terminate_backend)', withCode('57P01'), true],
    ['57P02 crash shutdown', withCode('57P02'), true],
    ['57P03 cannot connect now (starting up, in recovery)', withCode('57P03'), true],
    ['08006 connection failure', withCode('08006'), true],
    ['ECONNREFUSED (server down)', withCode('ECONNREFUSED'), true],
    ['ECONNRESET', withCode('ECONNRESET'), true],
    ['node-postgres: Connection terminated unexpectedly', new Error('Connection terminated unexpectedly'), true],
    ['node-postgres: not queryable', new Error('Client has encountered a connection error and is not queryable'), true],
    ['57014 statement timeout', withCode('57014'), false],
    ['23505 unique violation', withCode('23505'), false],
    ['25006 read-only', withCode('25006'), false],
    ['a plain error', new Error('boom'), false],
    ['null', null, false],
  ])('%s: connection lost = %s', (_name, error, lost) => {
    expect(isConnectionLost(error)).toBe(lost);
  });

  test('25006 read_only_sql_transaction is a read-only database', () => {
    expect(isReadOnly(withCode('25006', 'cannot execute INSERT in a read-only transaction'))).toBe(true);
    expect(isReadOnly(withCode('57P01'))).toBe(false);
    expect(isReadOnly(new Error('read-only'))).toBe(false);
  });
});
