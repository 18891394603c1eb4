import type { Resource } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql as migration } from '../db/migrations/016-owned-data.ts';
import { ResourceService } from '../fhir/store/resource.service.ts';
import { createTestDatabase, type TestDatabase } from '../testing/database.ts';
import { SHARED_WITH_EXTENSION } from './categories.ts';
import { accessHooks } from './index.ts';

const BASE = 'http://careweave.test/fhir/R4';
let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.dispose();
});

const shared = (reference: string) => ({ url: SHARED_WITH_EXTENSION, valueReference: { reference } });

const RESOURCES: Resource[] = [
  { resourceType: 'Organization', id: 'gp', name: 'Practice' },
  { resourceType: 'Patient', id: 'p1' },
  {
    resourceType: 'Endpoint',
    id: 'ep',
    status: 'active',
    connectionType: { code: 'hl7-fhir-rest' },
    payloadType: [{ text: 'FHIR' }],
    address: 'https://x.example',
  },
  {
    resourceType: 'Slot',
    id: 'free',
    schedule: { reference: 'Schedule/s' },
    status: 'free',
    start: '2030-01-01T09:00:00Z',
    end: '2030-01-01T09:10:00Z',
  },
  {
    resourceType: 'Slot',
    id: 'busy',
    schedule: { reference: 'Schedule/s' },
    status: 'busy',
    start: '2030-01-01T09:00:00Z',
    end: '2030-01-01T09:10:00Z',
  },
  { resourceType: 'Schedule', id: 'off', active: false, actor: [{ reference: 'Practitioner/pr1' }] },
  {
    resourceType: 'List',
    id: 'named',
    meta: { source: 'Organization/gp' },
    extension: [shared('CareTeam/t1'), shared(`${BASE}/Organization/mh`), shared('Patient/p1')],
    status: 'current',
    mode: 'working',
    source: { reference: `${BASE}/Practitioner/pr1` },
    entry: [{ item: { reference: 'Patient/p1' } }],
  },
  { resourceType: 'List', id: 'practice', meta: { source: 'Organization/gp' }, status: 'current', mode: 'working' },
  { resourceType: 'Basic', id: 'draft', code: { text: 'Draft' }, author: { reference: 'Organization/gp' } },
  {
    resourceType: 'Group',
    id: 'cohort',
    type: 'person',
    actual: true,
    managingEntity: { reference: 'PractitionerRole/r1' },
  },
  {
    resourceType: 'CareTeam',
    id: 't1',
    participant: [
      { member: { reference: 'Practitioner/pr2' }, period: { start: '2025-02', end: '2030-06-30' } },
      { member: { reference: 'Organization/comm' }, period: { start: '2025-02-01T10:00:00+01:00' } },
      { member: { reference: 'Patient/p1' } },
    ],
  },
  {
    resourceType: 'CareTeam',
    id: 't2',
    status: 'inactive',
    participant: [{ member: { reference: 'Practitioner/pr3' } }],
  },
];

describe('migration 016 (owned data, the public directory)', () => {
  it('labels and takes over what was stored before it exactly as the write-time derivation does', async () => {
    const resources = new ResourceService(database.db, {
      fhirBase: BASE,
      defaultPageSize: 20,
      maxPageSize: 100,
      hooks: accessHooks(BASE),
    });
    for (const resource of RESOURCES) {
      await resources.update(resource.resourceType, resource.id!, resource);
    }
    const read = async () => ({
      labels: await database.db.query(
        `select resource_type, id, category from resource where patient_id is null order by 1, 2`,
      ),
      versions: await database.db.query(
        `select resource_type, id, version_id, category from resource_version where patient_id is null order by 1, 2, 3`,
      ),
      owned: await database.db.query('select resource_type, id, principals from access_owned order by 1, 2'),
      members: await database.db.query(
        `select care_team_id, organization_id, practitioner_id,
                to_char(valid_from at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS') as valid_from,
                to_char(valid_to at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS') as valid_to
           from access_team_member order by 1, 2, 3`,
      ),
    });
    const derived = await read();
    expect(derived.owned).toEqual([
      { resource_type: 'Basic', id: 'draft', principals: ['Organization/gp'] },
      { resource_type: 'Group', id: 'cohort', principals: ['PractitionerRole/r1'] },
      {
        resource_type: 'List',
        id: 'named',
        principals: ['CareTeam/t1', 'Organization/mh', 'Practitioner/pr1'],
      },
      { resource_type: 'List', id: 'practice', principals: ['Organization/gp'] },
    ]);
    const category = (id: string) => derived.labels.find((r) => r.id === id)?.category;
    expect([category('gp'), category('free'), category('busy'), category('off'), category('ep')]).toEqual([
      'public-directory',
      'public-directory',
      null,
      null,
      null,
    ]);
    expect(derived.members).toHaveLength(2);

    // As a database written before migration 016 holds it.
    await database.db.exec(`drop table access_owned; drop table access_team_member;
      update resource set category = null where patient_id is null and category <> 'cohort';
      update resource_version set category = null where patient_id is null and category <> 'cohort';`);
    await database.db.transaction(async (tx) => {
      await tx.exec("set local timezone = 'America/New_York'");
      await tx.exec(migration);
    });
    expect(await read()).toEqual(derived);
  });
});
