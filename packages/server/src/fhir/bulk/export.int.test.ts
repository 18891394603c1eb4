import type { Resource } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemToken } from '../../auth/testing/tokens.ts';
import { createTestApp, type TestApp } from '../../testing/app.ts';
import { download, exportAll, kickOff, poll, refs } from './testing/export-client.ts';

let t: TestApp;
let beforeLater: string;

const patient = (id: string): Resource => ({ resourceType: 'Patient', id, name: [{ family: `Family-${id}` }] });
const observation = (id: string, subject: string): Resource => ({
  resourceType: 'Observation',
  id,
  status: 'final',
  code: { text: 'Heart rate' },
  subject: { reference: `Patient/${subject}` },
  valueQuantity: { value: 70, unit: '/min' },
});
const condition = (id: string, subject: string): Resource => ({
  resourceType: 'Condition',
  id,
  subject: { reference: `Patient/${subject}` },
  code: { text: 'Asthma' },
});

async function write(resources: Resource[]): Promise<void> {
  for (const resource of resources) {
    await t.platform.resources.update(resource.resourceType, resource.id!, resource);
  }
}

beforeAll(async () => {
  // The store's export on its own: care modules write resources of their own at start (the referral
  // forms), which would be exported too.
  t = await createTestApp({}, { modules: [] });
  await write([
    { resourceType: 'Organization', id: 'org-1', name: 'Practice' },
    patient('p1'),
    patient('p2'),
    patient('p3'),
    observation('o1', 'p1'),
    observation('o2', 'p2'),
    condition('c1', 'p1'),
    {
      resourceType: 'Group',
      id: 'g1',
      type: 'person',
      actual: true,
      member: [{ entity: { reference: 'Patient/p1' } }, { entity: { reference: `${t.fhirBase}/Patient/p3` } }],
    },
  ]);
  await new Promise((resolve) => setTimeout(resolve, 20));
  beforeLater = new Date().toISOString();
  await new Promise((resolve) => setTimeout(resolve, 20));
  await write([observation('o3', 'p3'), patient('p4')]);
});

afterAll(async () => {
  await t?.close();
});

describe('$export (Bulk Data Access IG v2)', () => {
  it('exports everything: kick-off, poll, manifest, NDJSON files', async () => {
    const started = await kickOff(t, '$export');
    expect(started.status).toBe(202);
    expect(started.location).toMatch(new RegExp(`^${t.fhirBase}/\\$export-status/[0-9a-f-]{36}$`));
    expect(started.body.resourceType).toBe('OperationOutcome');
    const { manifest, resources } = await exportAll(t, '$export');
    expect(manifest.requiresAccessToken).toBe(true);
    expect(manifest.error).toEqual([]);
    expect(manifest.request).toBe(`${t.fhirBase}/$export`);
    expect(Date.parse(manifest.transactionTime)).not.toBeNaN();
    expect(manifest.output.map((o) => o.type)).toEqual([
      'Patient',
      'Condition',
      'Group',
      'Observation',
      'Organization',
    ]);
    for (const file of manifest.output) {
      expect(file.url).toMatch(new RegExp(`^${t.fhirBase}/\\$export-file/`));
    }
    expect(refs(resources)).toEqual(
      refs(
        (
          await t.platform.db.query<{ resource_type: string; id: string }>('select resource_type, id from resource')
        ).map((row) => ({ resourceType: row.resource_type, id: row.id }) as Resource),
      ),
    );
    // Exported as stored: the Observation is the one written, one line per resource.
    const o1 = resources.find((r) => r.id === 'o1');
    expect(o1).toMatchObject({ resourceType: 'Observation', valueQuantity: { value: 70 } });
    expect(o1?.meta?.versionId).toBeDefined();
  });

  it('honours _type and _since (GET and POST with Parameters)', async () => {
    const typed = await exportAll(t, '$export?_type=Patient,Condition&_outputFormat=application/fhir%2Bndjson');
    expect(refs(typed.resources)).toEqual(['Condition/c1', 'Patient/p1', 'Patient/p2', 'Patient/p3', 'Patient/p4']);
    const since = await exportAll(t, `$export?_since=${encodeURIComponent(beforeLater)}`);
    expect(refs(since.resources)).toEqual(['Observation/o3', 'Patient/p4']);

    const posted = await kickOff(t, '$export', t.token, {
      method: 'POST',
      body: {
        resourceType: 'Parameters',
        parameter: [
          { name: '_type', valueString: 'Observation' },
          { name: '_since', valueInstant: beforeLater },
          { name: '_outputFormat', valueString: 'ndjson' },
        ],
      },
    });
    expect(posted.status).toBe(202);
    const done = await poll(t, posted.location);
    const files = done.body.output as { url: string }[];
    expect(files).toHaveLength(1);
    expect(refs(await download(t, files[0]!.url))).toEqual(['Observation/o3']);
  });

  it('narrows each type by its _typeFilter searches (ORed for one type; other types whole)', async () => {
    const q = (filter: string) => `_typeFilter=${encodeURIComponent(filter)}`;
    const filtered = await exportAll(
      t,
      `$export?_type=Patient,Observation,Condition&${q('Observation?subject=Patient/p1')}&${q('Observation?subject=Patient/p3')}&${q('Patient?family=Family-p2')}`,
    );
    expect(refs(filtered.resources)).toEqual(['Condition/c1', 'Observation/o1', 'Observation/o3', 'Patient/p2']);
    // Chains and _has work as in a search; Patient level keeps its compartment scope.
    const chained = await exportAll(
      t,
      `Patient/$export?_type=Observation,Patient&${q('Observation?subject:Patient.family=Family-p2')}&${q('Patient?_has:Condition:subject:_id=c1')}`,
    );
    expect(refs(chained.resources)).toEqual(['Observation/o2', 'Patient/p1']);
    // A filter for a type not exported has no effect.
    const other = await exportAll(t, `$export?_type=Condition&${q('Observation?subject=Patient/p1')}`);
    expect(refs(other.resources)).toEqual(['Condition/c1']);
  });

  it('exports the patient compartments at Patient level and a Group’s members at Group level', async () => {
    const patients = await exportAll(t, 'Patient/$export');
    expect(refs(patients.resources)).toEqual(
      [
        'Condition/c1',
        'Group/g1', // a Group with patient members is in their compartment
        'Observation/o1',
        'Observation/o2',
        'Observation/o3',
        'Patient/p1',
        'Patient/p2',
        'Patient/p3',
        'Patient/p4',
      ].sort(),
    );
    const group = await exportAll(t, 'Group/g1/$export');
    expect(refs(group.resources)).toEqual(
      ['Condition/c1', 'Group/g1', 'Observation/o1', 'Observation/o3', 'Patient/p1', 'Patient/p3'].sort(),
    );
    expect((await kickOff(t, 'Group/missing/$export')).status).toBe(404);
  });

  it('limits a system client to the types its scopes allow', async () => {
    const observationsOnly = await systemToken(t.platform, 'system/Observation.rs', 'observations-client');
    await t.platform.db.query(
      `insert into auth_client (client_id, description, metadata) values ('observations-client', 'tests', '{}'::jsonb)`,
    );
    const { resources } = await exportAll(t, '$export', observationsOnly);
    expect(refs(resources)).toEqual(['Observation/o1', 'Observation/o2', 'Observation/o3']);
    const refused = await kickOff(t, '$export?_type=Patient', observationsOnly);
    expect(refused.status).toBe(403);
    expect(refused.body.resourceType).toBe('OperationOutcome');
    // A filter searches its types: a _has on a type the token may not search is refused as that search would be.
    const hasFilter = encodeURIComponent('Observation?_has:Condition:subject:_id=c1');
    expect((await kickOff(t, `$export?_typeFilter=${hasFilter}`, observationsOnly)).status).toBe(403);
  });

  it('lets only the client that started an export read or cancel it', async () => {
    const { manifest, location } = await exportAll(t, '$export?_type=Patient');
    const other = await systemToken(t.platform, 'system/*.rs', 'other-client');
    await t.platform.db.query(
      `insert into auth_client (client_id, description, metadata) values ('other-client', 'tests', '{}'::jsonb)`,
    );
    const statusPath = location.slice(t.fhirBase.length + 1);
    const asOther = await t.fhir('GET', statusPath, undefined, { authorization: `Bearer ${other}` });
    expect(asOther.status).toBe(404);
    expect(asOther.body.resourceType).toBe('OperationOutcome');
    const file = await t.fhir('GET', manifest.output[0]!.url.slice(t.fhirBase.length + 1), undefined, {
      authorization: `Bearer ${other}`,
    });
    expect(file.status).toBe(404);
    expect((await t.fhir('DELETE', statusPath, undefined, { authorization: `Bearer ${other}` })).status).toBe(404);
    expect((await t.fhir('GET', statusPath)).status).toBe(200);
  });

  it('cancels: DELETE answers 202 and the job and its files are gone', async () => {
    const { location, manifest } = await exportAll(t, '$export');
    const statusPath = location.slice(t.fhirBase.length + 1);
    const id = statusPath.split('/')[1]!;
    const deleted = await t.fhir('DELETE', statusPath);
    expect(deleted.status).toBe(202);
    expect((await t.fhir('GET', statusPath)).status).toBe(404);
    expect((await t.fhir('GET', manifest.output[0]!.url.slice(t.fhirBase.length + 1))).status).toBe(404);
    const left = await t.platform.db.query('select 1 from bulk_export_chunk where job_id = $1', [id]);
    expect(left).toHaveLength(0);

    // Cancelling one that is still queued or running also stops it.
    const started = await kickOff(t, '$export');
    const path = started.location.slice(t.fhirBase.length + 1);
    expect((await t.fhir('DELETE', path)).status).toBe(202);
    expect((await t.fhir('GET', path)).status).toBe(404);
  });

  it('expires jobs and their files', async () => {
    const { location } = await exportAll(t, '$export?_type=Patient');
    const id = location.split('/').at(-1)!;
    await t.platform.db.query(`update bulk_export_job set expires_at = now() - interval '1 second' where id = $1`, [
      id,
    ]);
    expect((await t.fhir('GET', location.slice(t.fhirBase.length + 1))).status).toBe(404);
    expect(await t.platform.bulkExport.deleteExpired()).toBeGreaterThanOrEqual(1);
    expect(await t.platform.db.query('select 1 from bulk_export_file where job_id = $1', [id])).toHaveLength(0);
  });

  it('refuses bad kick-off requests with a 400 OperationOutcome', async () => {
    const cases: [string, Record<string, string>][] = [
      ['$export', { prefer: '' }],
      ['$export?_outputFormat=application/fhir%2Bjson', {}],
      ['$export?_type=NotAType', {}],
      ['$export?_since=yesterday', {}],
      ['$export?_typeFilter=NotAType%3Fstatus%3Dfinal', {}],
      ['$export?_typeFilter=Observation%3Fnot-a-param%3Dx', {}],
      ['$export?_typeFilter=Observation%3F_count%3D5', {}],
      ['$export?_typeFilter=Observation', {}],
      ['$export?_elements=id', {}],
      ['Patient/$export?includeAssociatedData=LatestProvenanceResources', {}],
    ];
    for (const [path, headers] of cases) {
      const response = await kickOff(t, path, t.token, { headers });
      expect(response.status, path).toBe(400);
      expect(response.body.resourceType, path).toBe('OperationOutcome');
      expect(response.body.issue[0].severity, path).toBe('error');
    }
  });

  it('ignores unsupported parameters with a warning under Prefer: handling=lenient', async () => {
    const response = await kickOff(t, '$export?_type=Patient&_elements=id&_includeAssociatedData=x', t.token, {
      headers: { prefer: 'respond-async, handling=lenient' },
    });
    expect(response.status).toBe(202);
    expect(response.body.issue.map((i: { severity: string }) => i.severity)).toEqual(['warning', 'warning']);
    const done = await poll(t, response.location);
    expect(done.status).toBe(200);
  });

  it('is in the CapabilityStatement at system, Patient and Group level', async () => {
    const { body } = await t.fhir('GET', 'metadata');
    const rest = body.rest[0];
    expect(rest.operation.map((o: { name: string }) => o.name)).toContain('export');
    const operations = (type: string): string[] =>
      rest.resource.find((r: { type: string }) => r.type === type).operation.map((o: { name: string }) => o.name);
    expect(operations('Patient')).toContain('export');
    expect(operations('Group')).toContain('export');
  });
});
