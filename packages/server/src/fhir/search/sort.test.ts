import { describe, expect, test } from 'vitest';
import { OperationOutcomeError } from '../outcome.ts';
import { afterRow, sortKeys } from './sort.ts';
import { SqlParams } from './sql-params.ts';

function keysFor(sort: string[]) {
  const params = new SqlParams();
  const keys = sortKeys(
    'Observation',
    sort.map((name) => ({ name: name.replace(/^-/, ''), descending: name.startsWith('-') })),
    'r',
    params,
  );
  return { keys, params };
}

describe('afterRow: the keyset condition from a client-held _cursor', () => {
  test.each([
    ['a date key', ['date'], ['2024-02-29 10:00:00+00', 'id-1']],
    ['a date key at the sentinel', ['-date'], ['-infinity', 'id-1']],
    ['_lastUpdated', ['_lastUpdated'], ['2024-02-29 10:00:00.123456+00', 'id-1']],
    ['a number key', ['value-quantity'], ['-12.5', 'id-1']],
    ['a number key at the sentinel', ['value-quantity'], ['NaN', 'id-1']],
    ['a text key', ['code'], ["anything at all, even ' quotes", 'id-1']],
  ])('accepts %s as PostgreSQL writes it', (_name, sort, values) => {
    const { keys, params } = keysFor(sort);
    expect(afterRow(keys, values, false, params)).toContain('::');
  });

  test.each([
    ['a date that is not one', ['date'], ['not-a-date', 'id-1']],
    ['an impossible date', ['date'], ['2024-02-30 00:00:00+00', 'id-1']],
    ['a number that is not one', ['value-quantity'], ['12abc', 'id-1']],
    ['a number in exponent form', ['value-quantity'], ['1e999999', 'id-1']],
    ['more values than keys', ['date'], ['2024-01-01 00:00:00+00', 'id-1', 'extra']],
  ])('refuses %s with 400', (_name, sort, values) => {
    const { keys, params } = keysFor(sort);
    let thrown: unknown;
    try {
      afterRow(keys, values, false, params);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(OperationOutcomeError);
    expect((thrown as OperationOutcomeError).status).toBe(400);
  });
});
