import type { Bundle } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../testing/app.ts';
import { reindex } from './reindex.ts';

/** `careweave reindex`: resources written before the index learnt composites are found after it. */
let t: TestApp;
const systolic = (id: string, value: number) => ({
  resourceType: 'Observation',
  id,
  status: 'final',
  code: { coding: [{ system: 'http://loinc.org', code: '85354-9' }] },
  component: [
    {
      code: { coding: [{ system: 'http://loinc.org', code: '8480-6' }] },
      valueQuantity: { value, unit: 'mmHg', system: 'http://unitsofmeasure.org', code: 'mm[Hg]' },
    },
  ],
});

beforeAll(async () => {
  t = await createTestApp();
  for (const [id, value] of [
    ['old-1', 185],
    ['old-2', 190],
    ['old-3', 120],
  ] as const) {
    expect((await t.fhir('PUT', `Observation/${id}`, systolic(id, value))).status).toBe(201);
  }
  // As a database written before migration 19 holds them: no composite rows.
  await t.platform.db.query(`delete from search_token where item is not null`);
  await t.platform.db.query(`delete from search_quantity where item is not null`);
});
afterAll(async () => t?.close());

const found = async (query: string): Promise<string[]> => {
  const res = await t.fhir('GET', query);
  expect(res.status).toBe(200);
  return ((res.body as Bundle).entry ?? []).map((e) => e.resource!.id!).sort();
};
const rowCount = async (): Promise<number> => {
  const [row] = await t.platform.db.query<{ n: string | number }>(
    `select (select count(*) from search_token) + (select count(*) from search_quantity) + (select count(*) from search_date) as n`,
  );
  return Number(row!.n);
};

describe('reindex', () => {
  it('adds the rows the index lacked, keeps the others, writes no version, and can run again', async () => {
    const composite = `Observation?component-code-value-quantity=${encodeURIComponent('8480-6$gt180')}`;
    expect(await found(composite)).toEqual([]);
    const before = await rowCount();
    const progress: [number, number][] = [];
    const done = await reindex(t.platform.db, t.fhirBase, {
      types: ['Observation'],
      batchSize: 2,
      onProgress: (n, total) => progress.push([n, total]),
    });
    expect(done).toBe(3);
    expect(progress).toEqual([
      [0, 3],
      [2, 3],
      [3, 3],
    ]);
    expect(await found(composite)).toEqual(['old-1', 'old-2']);
    expect(await found('Observation?component-code=8480-6')).toEqual(['old-1', 'old-2', 'old-3']);
    const after = await rowCount();
    // Two composite rows per resource came back (the component's code and value, for
    // component-code-value-quantity; combo-code-value-quantity is searched through it); nothing else changed.
    expect(after - before).toBe(6);
    await reindex(t.platform.db, t.fhirBase, { types: ['Observation'] });
    expect(await rowCount()).toBe(after);
    const history = await t.fhir('GET', 'Observation/old-1/_history');
    expect((history.body as Bundle).total).toBe(1);
  });
});
