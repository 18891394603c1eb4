import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../testing/app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

const txn = (entry: unknown[]) => ({ resourceType: 'Bundle', type: 'transaction', entry });
const count = async (query: string): Promise<number> =>
  (await t.fhir('GET', `${query}${query.includes('?') ? '&' : '?'}_summary=count`)).body.total;

describe('transaction', () => {
  it('creates entries, resolving urn:uuid references anywhere in the resource', async () => {
    const res = await t.fhir(
      'POST',
      '',
      txn([
        {
          fullUrl: 'urn:uuid:11111111-1111-4111-8111-111111111111',
          resource: { resourceType: 'Patient', name: [{ family: 'Transact' }] },
          request: { method: 'POST', url: 'Patient' },
        },
        {
          fullUrl: 'urn:uuid:22222222-2222-4222-8222-222222222222',
          resource: {
            resourceType: 'Encounter',
            status: 'finished',
            class: { code: 'AMB' },
            subject: { reference: 'urn:uuid:11111111-1111-4111-8111-111111111111' },
          },
          request: { method: 'POST', url: 'Encounter' },
        },
        {
          resource: {
            resourceType: 'Observation',
            status: 'final',
            code: { text: 'BP' },
            subject: { reference: 'urn:uuid:11111111-1111-4111-8111-111111111111' },
            encounter: { reference: 'urn:uuid:22222222-2222-4222-8222-222222222222' },
            // nested: a reference inside a backbone element
            performer: [{ reference: 'urn:uuid:11111111-1111-4111-8111-111111111111' }],
            derivedFrom: [{ reference: 'urn:uuid:22222222-2222-4222-8222-222222222222' }],
          },
          request: { method: 'POST', url: 'Observation' },
        },
      ]),
    );
    expect(res.status).toBe(200);
    expect(res.body.type).toBe('transaction-response');
    expect(res.body.entry.map((e: { response: { status: string } }) => e.response.status)).toEqual([
      '201 Created',
      '201 Created',
      '201 Created',
    ]);
    const patientId = res.body.entry[0].resource.id;
    const encounterId = res.body.entry[1].resource.id;
    const obs = res.body.entry[2].resource;
    expect(obs.subject.reference).toBe(`Patient/${patientId}`);
    expect(obs.encounter.reference).toBe(`Encounter/${encounterId}`);
    expect(obs.derivedFrom[0].reference).toBe(`Encounter/${encounterId}`);
    expect(res.body.entry[0].response.location).toMatch(new RegExp(`^Patient/${patientId}/_history/1$`));
    expect(await count(`Observation?patient=${patientId}`)).toBe(1);
  });

  it('is all or nothing: one bad entry rolls back the whole transaction', async () => {
    const before = await count('Patient');
    const res = await t.fhir(
      'POST',
      '',
      txn([
        {
          resource: { resourceType: 'Patient', name: [{ family: 'Rollback' }] },
          request: { method: 'POST', url: 'Patient' },
        },
        {
          resource: { resourceType: 'Patient', id: 'rb', gender: 'banana' },
          request: { method: 'PUT', url: 'Patient/rb' },
        },
      ]),
    );
    expect(res.status).toBe(400);
    expect(res.body.resourceType).toBe('OperationOutcome');
    expect(res.body.issue[0].diagnostics).toContain('Bundle.entry[1]');
    expect(await count('Patient')).toBe(before);
    expect(await count('Patient?family=rollback')).toBe(0);
  });

  it('rolls back on a failure found while executing (version conflict)', async () => {
    const created = (await t.fhir('POST', 'Patient', { resourceType: 'Patient', name: [{ family: 'Conflict' }] })).body;
    const res = await t.fhir(
      'POST',
      '',
      txn([
        {
          resource: { resourceType: 'Patient', name: [{ family: 'ShouldVanish' }] },
          request: { method: 'POST', url: 'Patient' },
        },
        {
          resource: { ...created, gender: 'male' },
          request: { method: 'PUT', url: `Patient/${created.id}`, ifMatch: 'W/"7"' },
        },
      ]),
    );
    expect(res.status).toBe(412);
    expect(await count('Patient?family=shouldvanish')).toBe(0);
    expect((await t.fhir('GET', `Patient/${created.id}`)).body.meta.versionId).toBe('1');
  });

  it('supports conditional create, conditional update, conditional references and delete', async () => {
    const identifier = { system: 'https://fhir.nhs.uk/Id/ods-organization-code', value: 'RVY' };
    const first = await t.fhir(
      'POST',
      '',
      txn([
        {
          fullUrl: 'urn:uuid:33333333-3333-4333-8333-333333333333',
          resource: { resourceType: 'Organization', name: 'Southport and Ormskirk', identifier: [identifier] },
          request: { method: 'POST', url: 'Organization', ifNoneExist: `identifier=${identifier.system}|RVY` },
        },
      ]),
    );
    const orgId = first.body.entry[0].resource.id;
    const second = await t.fhir(
      'POST',
      '',
      txn([
        {
          fullUrl: 'urn:uuid:44444444-4444-4444-8444-444444444444',
          resource: { resourceType: 'Organization', name: 'Duplicate?', identifier: [identifier] },
          request: { method: 'POST', url: 'Organization', ifNoneExist: `identifier=${identifier.system}|RVY` },
        },
        {
          resource: {
            resourceType: 'Patient',
            identifier: [{ system: 'https://fhir.nhs.uk/Id/nhs-number', value: '9000000025' }],
            managingOrganization: { reference: 'urn:uuid:44444444-4444-4444-8444-444444444444' },
            generalPractitioner: [{ reference: `Organization?identifier=${identifier.system}|RVY` }],
          },
          request: { method: 'PUT', url: 'Patient?identifier=https://fhir.nhs.uk/Id/nhs-number|9000000025' },
        },
      ]),
    );
    expect(second.status).toBe(200);
    expect(second.body.entry[0].response.status).toBe('200 OK');
    expect(second.body.entry[0].resource.id).toBe(orgId);
    const patient = second.body.entry[1].resource;
    expect(patient.managingOrganization.reference).toBe(`Organization/${orgId}`);
    expect(patient.generalPractitioner[0].reference).toBe(`Organization/${orgId}`);
    expect(await count('Organization?identifier=RVY')).toBe(1);

    const third = await t.fhir('POST', '', txn([{ request: { method: 'DELETE', url: `Patient/${patient.id}` } }]));
    expect(third.body.entry[0].response.status).toBe('204 No Content');
    expect((await t.fhir('GET', `Patient/${patient.id}`)).status).toBe(410);
  });

  it('fails a conditional reference that matches nothing', async () => {
    const res = await t.fhir(
      'POST',
      '',
      txn([
        {
          resource: { resourceType: 'Patient', generalPractitioner: [{ reference: 'Organization?identifier=nope' }] },
          request: { method: 'POST', url: 'Patient' },
        },
      ]),
    );
    expect(res.status).toBe(404);
  });

  it('applies a JSON Patch entry carried in a Binary', async () => {
    const created = (await t.fhir('POST', 'Patient', { resourceType: 'Patient', gender: 'female' })).body;
    const patch = Buffer.from(JSON.stringify([{ op: 'replace', path: '/gender', value: 'male' }])).toString('base64');
    const res = await t.fhir(
      'POST',
      '',
      txn([
        {
          resource: { resourceType: 'Binary', contentType: 'application/json-patch+json', data: patch },
          request: { method: 'PATCH', url: `Patient/${created.id}` },
        },
      ]),
    );
    expect(res.status).toBe(200);
    expect((await t.fhir('GET', `Patient/${created.id}`)).body.gender).toBe('male');
  });

  it('reads inside a transaction after the writes', async () => {
    const res = await t.fhir(
      'POST',
      '',
      txn([
        { request: { method: 'GET', url: 'Patient?family=transact' } },
        {
          resource: { resourceType: 'Patient', name: [{ family: 'Transact' }] },
          request: { method: 'POST', url: 'Patient' },
        },
      ]),
    );
    expect(res.body.entry[0].resource.resourceType).toBe('Bundle');
    expect(res.body.entry[0].resource.entry).toHaveLength(2);
  });
});

describe('batch', () => {
  it('processes entries independently and reports each failure in place', async () => {
    const res = await t.fhir('POST', '', {
      resourceType: 'Bundle',
      type: 'batch',
      entry: [
        {
          resource: { resourceType: 'Patient', name: [{ family: 'BatchOk' }] },
          request: { method: 'POST', url: 'Patient' },
        },
        { resource: { resourceType: 'Patient', gender: 'banana' }, request: { method: 'POST', url: 'Patient' } },
        { request: { method: 'GET', url: 'Patient/does-not-exist' } },
        { request: { method: 'GET', url: 'Patient?family=batchok' } },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body.type).toBe('batch-response');
    const statuses = res.body.entry.map((e: { response: { status: string } }) => e.response.status);
    expect(statuses[0]).toBe('201 Created');
    expect(statuses[1]).toBe('400');
    expect(res.body.entry[1].response.outcome.resourceType).toBe('OperationOutcome');
    expect(statuses[2]).toBe('404');
    expect(statuses[3]).toBe('200 OK');
    expect(await count('Patient?family=batchok')).toBe(1);
  });

  it.each([
    ['not a Bundle', { resourceType: 'Patient' }],
    ['a searchset Bundle', { resourceType: 'Bundle', type: 'searchset' }],
    [
      'an entry without a request',
      { resourceType: 'Bundle', type: 'transaction', entry: [{ resource: { resourceType: 'Patient' } }] },
    ],
  ])('rejects %s', async (_name, body) => {
    const res = await t.fhir('POST', '', body);
    expect(res.status).toBe(400);
    expect(res.body.resourceType).toBe('OperationOutcome');
  });
});
