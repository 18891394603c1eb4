import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../testing/database.ts';
import { relabelAll } from './relabel.ts';
import { loadScenario, type Scenario } from './testing/scenario.ts';

let database: TestDatabase;
let scenario: Scenario;

beforeAll(async () => {
  database = await createTestDatabase();
  scenario = await loadScenario(database.db);
});

afterAll(async () => {
  await database?.dispose();
});

const snapshot = async () => ({
  labels: await database.db.query(
    'select resource_type, id, patient_id, source_org, category from resource order by resource_type, id',
  ),
  relationships: await database.db.query(
    `select source_type, source_id, patient_id, organization_id, practitioner_id, kind, valid_from, valid_to, care_team_id
       from access_relationship order by 1, 2, 3, 4, 5`,
  ),
  rules: await database.db.query('select * from access_consent_rule order by consent_id, rule_index'),
});

it('rebuilds labels and derived facts of a database written without the hooks', async () => {
  const before = await snapshot();
  await database.db.exec(
    'update resource set source_org = null, category = null; delete from access_relationship; delete from access_consent_rule',
  );
  // Small batches, so encounters and the resources pointing at them land in different ones.
  const result = await relabelAll(database.db, scenario.fhirBase, { batchSize: 3 });
  expect(result.resources).toBe(before.labels.length);
  expect(await snapshot()).toEqual(before);
});
