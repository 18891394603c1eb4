import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../testing/app.ts';
import { REFERENCE_TABLES, STORE_TABLES } from './distributed.ts';

/**
 * The record sharded by patient on the run's Citus cluster (the `citus` test project only): where
 * rows land, that they move with their patient, and which queries Citus routes to one shard.
 */
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

const sql = <T = Record<string, unknown>>(text: string, params: unknown[] = []) =>
  t.database.db.query<T>(text, params as never);

async function create(resource: Record<string, unknown>): Promise<string> {
  const res = await t.fhir('POST', resource.resourceType as string, resource);
  expect(res.status).toBe(201);
  return res.body.id as string;
}

const observation = (patient: string, code: string) => ({
  resourceType: 'Observation',
  status: 'final',
  code: { coding: [{ system: 'http://loinc.org', code }] },
  subject: { reference: `Patient/${patient}` },
  valueQuantity: { value: 120, unit: 'mmHg', system: 'http://unitsofmeasure.org', code: 'mm[Hg]' },
});

/** The shards holding a resource's rows in every store table. */
async function shardsOf(type: string, id: string): Promise<Set<string>> {
  const shards = new Set<string>();
  for (const table of STORE_TABLES) {
    const rows = await sql<{ shard: string }>(
      `select get_shard_id_for_distribution_column('${table}', shard_key)::text as shard
         from ${table} where resource_type = $1 and id = $2`,
      [type, id],
    );
    for (const row of rows) {
      // Shard ids differ per table; their index within the co-located group is what must match.
      const [index] = await sql<{ n: string }>(
        `select shardminvalue as n from pg_dist_shard where shardid = $1::bigint`,
        [row.shard],
      );
      shards.add(index!.n);
    }
  }
  return shards;
}

describe('the record sharded by patient (Citus)', () => {
  it('distributes the store on shard_key, co-located, and the access tables as reference tables', async () => {
    expect(t.database.db.distributed).toBe(true);
    const tables = await sql<{
      table_name: string;
      citus_table_type: string;
      distribution_column: string;
      colocation_id: number;
    }>(`select table_name::text, citus_table_type, distribution_column, colocation_id from citus_tables`);
    const byName = new Map(tables.map((row) => [row.table_name, row]));
    const colocation = byName.get('resource')!.colocation_id;
    for (const table of STORE_TABLES) {
      expect(byName.get(table)).toMatchObject({ citus_table_type: 'distributed', distribution_column: 'shard_key' });
      expect(byName.get(table)!.colocation_id).toBe(colocation);
    }
    for (const table of REFERENCE_TABLES) {
      expect(byName.get(table)?.citus_table_type).toBe('reference');
    }
  });

  it("keeps a patient's resources, versions and index rows on the patient's shard", async () => {
    const patient = await create({ resourceType: 'Patient', name: [{ family: 'Shard' }] });
    const observations = [await create(observation(patient, '8480-6')), await create(observation(patient, '8462-4'))];
    const home = await shardsOf('Patient', patient);
    expect(home.size).toBe(1);
    for (const id of observations) {
      expect(await shardsOf('Observation', id)).toEqual(home);
    }
  });

  it('moves a resource corrected to another patient: one current row, on the new shard, found there only', async () => {
    const first = await create({ resourceType: 'Patient', name: [{ family: 'First' }] });
    const second = await create({ resourceType: 'Patient', name: [{ family: 'Second' }] });
    const id = await create(observation(first, '29463-7'));
    const moved = await t.fhir('PUT', `Observation/${id}`, { ...observation(second, '29463-7'), id });
    expect(moved.status).toBe(200);

    const rows = await sql<{ shard_key: string; version_id: number }>(
      `select shard_key, version_id from resource where resource_type = 'Observation' and id = $1`,
      [id],
    );
    expect(rows).toEqual([{ shard_key: second, version_id: 2 }]);
    expect(
      await sql(`select 1 from search_reference where resource_type = 'Observation' and id = $1 and shard_key <> $2`, [
        id,
        second,
      ]),
    ).toEqual([]);

    const ofSecond = await t.fhir('GET', `Observation?patient=${second}`);
    expect(ofSecond.body.entry.map((e: { resource: { id: string } }) => e.resource.id)).toEqual([id]);
    const ofFirst = await t.fhir('GET', `Observation?patient=${first}`);
    expect(ofFirst.body.entry ?? []).toEqual([]);
    // Both versions stay in the history, each on the shard it was written to.
    const history = await t.fhir('GET', `Observation/${id}/_history`);
    expect(
      history.body.entry.map((e: { resource: { subject: { reference: string } } }) => e.resource.subject.reference),
    ).toEqual([`Patient/${second}`, `Patient/${first}`]);
  });

  it('deletes in place and creates again with the same id', async () => {
    const patient = await create({ resourceType: 'Patient', name: [{ family: 'Tombstone' }] });
    const id = await create(observation(patient, '8310-5'));
    expect((await t.fhir('DELETE', `Observation/${id}`)).status).toBe(204);
    expect((await t.fhir('GET', `Observation/${id}`)).status).toBe(410);
    const again = await t.fhir('PUT', `Observation/${id}`, { ...observation(patient, '8310-5'), id });
    expect(again.status).toBe(201);
    const rows = await sql(`select version_id, deleted from resource where resource_type = 'Observation' and id = $1`, [
      id,
    ]);
    expect(rows).toEqual([{ version_id: 3, deleted: false }]);
  });

  it('chains and _has find matches across shards', async () => {
    const patient = await create({ resourceType: 'Patient', name: [{ family: 'Chained' }] });
    const id = await create(observation(patient, '2339-0'));
    const chained = await t.fhir('GET', 'Observation?patient.family=Chained');
    expect(chained.body.entry.map((e: { resource: { id: string } }) => e.resource.id)).toEqual([id]);
    const has = await t.fhir('GET', 'Patient?_has:Observation:patient:code=http://loinc.org|2339-0');
    expect(has.body.entry.map((e: { resource: { id: string } }) => e.resource.id)).toEqual([patient]);
  });

  it("routes a query on one patient's shard key to one shard, and fans a population count out to all", async () => {
    const patient = await create({ resourceType: 'Patient', name: [{ family: 'Routed' }] });
    const plan = async (text: string) =>
      (await sql<{ 'QUERY PLAN': string }>(`explain (costs off) ${text}`)).map((row) => row['QUERY PLAN']).join('\n');
    expect(
      await plan(`select id from resource where shard_key = '${patient}' and resource_type = 'Observation'`),
    ).toMatch(/Task Count: 1\b/);
    const [shards] = await sql<{ n: number }>(
      `select count(*)::int as n from pg_dist_shard where logicalrelid = 'resource'::regclass`,
    );
    expect(await plan(`select count(*) from resource where resource_type = 'Observation'`)).toMatch(
      new RegExp(`Task Count: ${shards!.n}\\b`),
    );
  });
});
