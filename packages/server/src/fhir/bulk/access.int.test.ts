import type { Bundle } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTORS, EXPECTED, loadScenario } from '../../access/testing/scenario.ts';
import { actorClient } from '../../access/testing/actor-client.ts';
import { createTestApp, type TestApp } from '../../testing/app.ts';
import { exportAll, kickOff, refs } from './testing/export-client.ts';

let t: TestApp;
let client: ReturnType<typeof actorClient>;
const tokenFor = (actor: Parameters<typeof client.tokenFor>[0]) => client.tokenFor(actor);

/** Every resource the token finds by searching each type in the record. */
async function searchEverything(token: string): Promise<string[]> {
  const types = await t.platform.db.query<{ resource_type: string }>('select distinct resource_type from resource');
  const found: string[] = [];
  for (const { resource_type: type } of types) {
    const response = await t.fhir('GET', `${type}?_count=1000`, undefined, { authorization: `Bearer ${token}` });
    expect(response.status, type).toBe(200);
    const bundle = response.body as Bundle;
    found.push(...(bundle.entry ?? []).map((entry) => `${entry.resource!.resourceType}/${entry.resource!.id}`));
  }
  return found.sort();
}

beforeAll(async () => {
  t = await createTestApp();
  client = actorClient(t);
  await loadScenario(t.platform.db, t.fhirBase);
  // A list of patients kept by the GP practice: its own record.
  await t.platform.resources.update('Group', 'g-gp', {
    resourceType: 'Group',
    id: 'g-gp',
    meta: { source: 'Organization/org-gp' },
    type: 'person',
    actual: true,
    member: [{ entity: { reference: 'Patient/p2' } }, { entity: { reference: 'Patient/p3' } }],
  });
});

afterAll(async () => {
  await t?.close();
});

const staffNames = ['gp', 'nurse', 'careHome', 'socialWorker', 'acute', 'mhNurse'] as const;

describe('$export applies the caller’s access policy', () => {
  it.each(staffNames)('%s: a system-level export is exactly what the same user finds by search', async (name) => {
    const token = await tokenFor(ACTORS[name]);
    const { resources } = await exportAll(t, '$export', token);
    expect(refs(resources)).toEqual(await searchEverything(token));
  });

  it.each(staffNames)('%s: a Patient-level export is the patient data the policy allows', async (name) => {
    const token = await tokenFor(ACTORS[name]);
    const { resources } = await exportAll(t, 'Patient/$export', token);
    const expected = [...EXPECTED[name], ...(name === 'gp' ? ['Group/g-gp'] : [])];
    expect(refs(resources)).toEqual(expected.sort());
  });

  it('a Group export is its members’ data that the caller may see', async () => {
    const gp = await tokenFor(ACTORS.gp);
    const { resources } = await exportAll(t, 'Group/g-gp/$export', gp);
    // Not Observation/p2-acute-obs: p2 opted out of sharing. p3 has no relationship with the GP.
    expect(refs(resources)).toEqual(['Condition/p2-gp-cond', 'Consent/p2-optout', 'Group/g-gp', 'Patient/p2']);
    // The community nurse may not see the practice's Group: as if it did not exist.
    const nurse = await tokenFor(ACTORS.nurse);
    expect((await kickOff(t, 'Group/g-gp/$export', nurse)).status).toBe(404);
  });

  it('a _typeFilter learns nothing the caller may not see: a _has on a withheld row matches nothing', async () => {
    const gp = await tokenFor(ACTORS.gp);
    // p2 opted out of sharing the hospital's Observation with the GP; the GP may see Patient/p2 itself.
    const probe = encodeURIComponent('Patient?_has:Observation:subject:_id=p2-acute-obs');
    const { resources } = await exportAll(t, `Patient/$export?_type=Patient&_typeFilter=${probe}`, gp);
    expect(refs(resources)).toEqual([]);
    const search = await t.fhir('GET', 'Patient?_has:Observation:subject:_id=p2-acute-obs', undefined, {
      authorization: `Bearer ${gp}`,
    });
    expect((search.body as Bundle).entry ?? []).toEqual([]);
    // The same filter on a row the GP may see finds the patient.
    const visible = encodeURIComponent('Patient?_has:Condition:subject:_id=p2-gp-cond');
    const found = await exportAll(t, `Patient/$export?_type=Patient&_typeFilter=${visible}`, gp);
    expect(refs(found.resources)).toEqual(['Patient/p2']);
  });

  it('a patient exports their own record', async () => {
    const token = await tokenFor(ACTORS.patient1);
    const { resources } = await exportAll(t, 'Patient/$export', token);
    expect(refs(resources)).toEqual([...EXPECTED.patient1].sort());
  });

  it('records an audit row naming the patients exported', async () => {
    const token = await tokenFor(ACTORS.nurse);
    const { manifest } = await exportAll(t, 'Patient/$export?_type=Patient,Observation', token);
    const rows = await t.platform.db.query<{ patient_ids: string[]; query: string; actor: unknown }>(
      `select patient_ids, query, actor from audit_log where interaction = 'bulk-export' and query = $1`,
      [manifest.request],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]!.patient_ids).toEqual(['p1']);
    const actor = typeof rows[0]!.actor === 'string' ? JSON.parse(rows[0]!.actor) : rows[0]!.actor;
    expect(actor).toMatchObject({ kind: 'staff', userId: ACTORS.nurse.userId });
  });

  it('another user cannot read the job or its files', async () => {
    const gp = await tokenFor(ACTORS.gp);
    const { location, manifest } = await exportAll(t, 'Patient/$export', gp);
    const nurse = await tokenFor(ACTORS.nurse);
    const asNurse = { authorization: `Bearer ${nurse}` };
    expect((await t.fhir('GET', location.slice(t.fhirBase.length + 1), undefined, asNurse)).status).toBe(404);
    const file = manifest.output[0]!.url.slice(t.fhirBase.length + 1);
    expect((await t.fhir('GET', file, undefined, asNurse)).status).toBe(404);
    expect((await t.fhir('GET', file, undefined, { authorization: `Bearer ${gp}` })).status).toBe(200);
  });
});
