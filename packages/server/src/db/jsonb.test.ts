import { expect, test } from 'vitest';
import { jsonbValue } from './jsonb.ts';

test.each([
  ['text from PGlite', '{"kind":"system","scopes":["a"]}'],
  ['an object from node-postgres', { kind: 'system', scopes: ['a'] }],
])('jsonbValue takes %s', (_from, value) => {
  expect(jsonbValue<{ kind: string; scopes: string[] }>(value)).toEqual({ kind: 'system', scopes: ['a'] });
});

test('jsonbValue keeps null', () => {
  expect(jsonbValue<Record<string, unknown> | null>(null)).toBeNull();
});
