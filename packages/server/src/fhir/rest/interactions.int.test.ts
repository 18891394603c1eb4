import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../testing/app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

const patient = (family: string) => ({
  resourceType: 'Patient',
  name: [{ family, given: ['Ada'] }],
  gender: 'female',
  birthDate: '1950-02-03',
});

describe('metadata', () => {
  it('describes every R4 resource type and its search parameters', async () => {
    const res = await t.fhir('GET', 'metadata');
    expect(res.status).toBe(200);
    expect(res.body.resourceType).toBe('CapabilityStatement');
    expect(res.body.fhirVersion).toBe('4.0.1');
    const types = res.body.rest[0].resource.map((r: { type: string }) => r.type);
    expect(types).toContain('Patient');
    expect(types).toContain('Observation');
    expect(types.length).toBeGreaterThanOrEqual(140);
    const obs = res.body.rest[0].resource.find((r: { type: string }) => r.type === 'Observation');
    expect(obs.searchParam.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining(['code', 'date', 'patient', '_id']),
    );
    expect(obs.searchParam).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          name: 'component-code-value-quantity',
          type: 'composite',
          definition: 'http://hl7.org/fhir/SearchParameter/Observation-component-code-value-quantity',
        }),
      ]),
    );
    // special parameters are not indexed, so the statement must not claim them
    expect(obs.searchParam.map((p: { name: string }) => p.name)).not.toContain('_text');
    const location = res.body.rest[0].resource.find((r: { type: string }) => r.type === 'Location');
    expect(location.searchParam.map((p: { name: string }) => p.name)).not.toContain('near');
  });

  it('declares SMART-on-FHIR security with the oauth-uris extension (how bulk-data-client finds the token URL)', async () => {
    const res = await t.fhir('GET', 'metadata');
    const base = t.fhirBase.replace(/\/fhir\/R4$/, '');
    const security = res.body.rest[0].security;
    expect(security.service[0].coding).toEqual([
      { system: 'http://terminology.hl7.org/CodeSystem/restful-security-service', code: 'SMART-on-FHIR' },
    ]);
    const uris = security.extension.find(
      (e: { url: string }) => e.url === 'http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris',
    );
    expect(
      Object.fromEntries(uris.extension.map((e: { url: string; valueUri: string }) => [e.url, e.valueUri])),
    ).toEqual({
      authorize: `${base}/auth/authorize`,
      token: `${base}/auth/token`,
      revoke: `${base}/auth/revoke`,
      introspect: `${base}/auth/introspect`,
      register: `${base}/auth/reg`,
    });
  });
});

describe('create, read, vread, update, delete', () => {
  it('creates with a server-assigned id and returns Location, ETag and Last-Modified', async () => {
    const res = await t.fhir('POST', 'Patient', { ...patient('Lovelace'), id: 'client-chosen' });
    expect(res.status).toBe(201);
    expect(res.body.id).not.toBe('client-chosen');
    expect(res.body.meta.versionId).toBe('1');
    expect(res.headers.location).toBe(`${t.fhirBase}/Patient/${res.body.id}/_history/1`);
    expect(res.headers.etag).toBe('W/"1"');
    expect(new Date(String(res.headers['last-modified'])).getTime()).toBeGreaterThan(0);

    const read = await t.fhir('GET', `Patient/${res.body.id}`);
    expect(read.status).toBe(200);
    expect(read.body.name[0].family).toBe('Lovelace');
    expect(read.headers.etag).toBe('W/"1"');
    expect(read.headers['content-type']).toContain('application/fhir+json');
  });

  it('keeps every version: update, vread, delete, history', async () => {
    const created = (await t.fhir('POST', 'Patient', patient('Versioned'))).body;
    const updated = await t.fhir('PUT', `Patient/${created.id}`, { ...created, gender: 'other' });
    expect(updated.status).toBe(200);
    expect(updated.body.meta.versionId).toBe('2');

    const v1 = await t.fhir('GET', `Patient/${created.id}/_history/1`);
    expect(v1.body.gender).toBe('female');
    const v2 = await t.fhir('GET', `Patient/${created.id}/_history/2`);
    expect(v2.body.gender).toBe('other');

    expect((await t.fhir('DELETE', `Patient/${created.id}`)).status).toBe(204);
    expect((await t.fhir('GET', `Patient/${created.id}`)).status).toBe(410);
    expect((await t.fhir('GET', `Patient/${created.id}/_history/2`)).status).toBe(200);

    const history = await t.fhir('GET', `Patient/${created.id}/_history`);
    expect(history.body.type).toBe('history');
    expect(history.body.entry.map((e: { request: { method: string } }) => e.request.method)).toEqual([
      'DELETE',
      'PUT',
      'POST',
    ]);

    const recreated = await t.fhir('PUT', `Patient/${created.id}`, { ...created, meta: undefined });
    expect(recreated.status).toBe(201);
    expect(recreated.body.meta.versionId).toBe('4');
  });

  it('update creates a resource with a client id (update as create)', async () => {
    const res = await t.fhir('PUT', 'Patient/my-own-id', { ...patient('Client'), id: 'my-own-id' });
    expect(res.status).toBe(201);
    expect(res.body.id).toBe('my-own-id');
  });

  it.each([
    ['unknown id', 'GET', 'Patient/does-not-exist', 404],
    ['unknown type', 'GET', 'Spaceship/1', 404],
    ['type that is not a resource', 'GET', 'NotAResource/1', 404],
    ['search of an unknown type', 'GET', 'NotAResource?name=x', 404],
    ['unknown version', 'GET', 'Patient/my-own-id/_history/99', 404],
  ])('answers %s with an OperationOutcome', async (_name, method, path, status) => {
    const res = await t.fhir(method, path);
    expect(res.status).toBe(status);
    expect(res.body.resourceType).toBe('OperationOutcome');
  });

  it('deleting twice or deleting the unknown succeeds (idempotent)', async () => {
    expect((await t.fhir('DELETE', 'Patient/never-there')).status).toBe(204);
  });
});

describe('optimistic locking', () => {
  it('applies If-Match and answers 412 on a stale version', async () => {
    const created = (await t.fhir('POST', 'Patient', patient('Locked'))).body;
    const ok = await t.fhir('PUT', `Patient/${created.id}`, { ...created, gender: 'male' }, { 'if-match': 'W/"1"' });
    expect(ok.status).toBe(200);
    const stale = await t.fhir(
      'PUT',
      `Patient/${created.id}`,
      { ...created, gender: 'unknown' },
      { 'if-match': 'W/"1"' },
    );
    expect(stale.status).toBe(412);
    expect(stale.body.resourceType).toBe('OperationOutcome');
    expect((await t.fhir('GET', `Patient/${created.id}`)).body.gender).toBe('male');
    const staleDelete = await t.fhir('DELETE', `Patient/${created.id}`, undefined, { 'if-match': 'W/"1"' });
    expect(staleDelete.status).toBe(412);
  });
});

describe('Prefer: return', () => {
  it.each([
    ['minimal', (body: unknown) => expect(body).toBeUndefined()],
    ['representation', (body: { resourceType: string }) => expect(body.resourceType).toBe('Patient')],
    ['OperationOutcome', (body: { resourceType: string }) => expect(body.resourceType).toBe('OperationOutcome')],
  ])('return=%s', async (preference, check) => {
    const res = await t.fhir('POST', 'Patient', patient('Prefer'), { prefer: `return=${preference}` });
    expect(res.status).toBe(201);
    expect(res.headers.location).toMatch(/Patient\/.+\/_history\/1$/);
    check(res.body);
  });
});

describe('conditional interactions', () => {
  const withIdentifier = (value: string) => ({
    ...patient('Conditional'),
    identifier: [{ system: 'https://fhir.nhs.uk/Id/nhs-number', value }],
  });

  it('conditional create returns the existing resource when one matches', async () => {
    const first = await t.fhir('POST', 'Patient', withIdentifier('9000000009'), {
      'if-none-exist': 'identifier=https://fhir.nhs.uk/Id/nhs-number|9000000009',
    });
    expect(first.status).toBe(201);
    const second = await t.fhir('POST', 'Patient', withIdentifier('9000000009'), {
      'if-none-exist': 'identifier=https://fhir.nhs.uk/Id/nhs-number|9000000009',
    });
    expect(second.status).toBe(200);
    expect(second.body.id).toBe(first.body.id);
  });

  it('conditional update creates, then updates the match', async () => {
    const query = 'Patient?identifier=https://fhir.nhs.uk/Id/nhs-number|9000000017';
    const created = await t.fhir('PUT', query, withIdentifier('9000000017'));
    expect(created.status).toBe(201);
    const updated = await t.fhir('PUT', query, { ...withIdentifier('9000000017'), gender: 'male' });
    expect(updated.status).toBe(200);
    expect(updated.body.id).toBe(created.body.id);
    expect(updated.body.meta.versionId).toBe('2');
  });

  it('conditional create, update and delete with several matches are 412 Precondition Failed (R4)', async () => {
    await t.fhir('POST', 'Patient', withIdentifier('9736363074'));
    await t.fhir('POST', 'Patient', withIdentifier('9736363074'));
    const attempts = [
      await t.fhir('POST', 'Patient', withIdentifier('9736363074'), { 'if-none-exist': 'identifier=9736363074' }),
      await t.fhir('PUT', 'Patient?identifier=9736363074', withIdentifier('9736363074')),
      await t.fhir('DELETE', 'Patient?identifier=9736363074'),
    ];
    for (const res of attempts) {
      expect(res.status).toBe(412);
      expect(res.body).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ code: 'multiple-matches' }] });
    }
    expect((await t.fhir('GET', 'Patient?identifier=9736363074')).body.entry).toHaveLength(2);
  });

  it('conditional delete removes the single match', async () => {
    await t.fhir('POST', 'Patient', withIdentifier('9736363066'));
    expect((await t.fhir('DELETE', 'Patient?identifier=9736363066')).status).toBe(204);
    const search = await t.fhir('GET', 'Patient?identifier=9736363066');
    expect(search.body.entry ?? []).toHaveLength(0);
  });
});

describe('patch', () => {
  it('applies a JSON Patch and bumps the version', async () => {
    const created = (await t.fhir('POST', 'Patient', patient('Patchy'))).body;
    const res = await t.fhir(
      'PATCH',
      `Patient/${created.id}`,
      JSON.stringify([{ op: 'replace', path: '/gender', value: 'male' }]),
      {
        'content-type': 'application/json-patch+json',
      },
    );
    expect(res.status).toBe(200);
    expect(res.body.gender).toBe('male');
    expect(res.body.meta.versionId).toBe('2');
  });

  it.each([
    ['a failing test op', [{ op: 'test', path: '/gender', value: 'nope' }], 422],
    ['a patch that makes the resource invalid', [{ op: 'replace', path: '/gender', value: 42 }], 400],
    ['a patch that changes the id', [{ op: 'replace', path: '/id', value: 'other' }], 400],
    ['not an array', { op: 'replace' }, 400],
  ])('rejects %s and writes nothing', async (_name, ops, status) => {
    const created = (await t.fhir('POST', 'Patient', patient('PatchFail'))).body;
    const res = await t.fhir('PATCH', `Patient/${created.id}`, JSON.stringify(ops), {
      'content-type': 'application/json-patch+json',
    });
    expect(res.status).toBe(status);
    expect(res.body.resourceType).toBe('OperationOutcome');
    expect((await t.fhir('GET', `Patient/${created.id}`)).body.meta.versionId).toBe('1');
  });
});

describe('bad input', () => {
  it.each([
    ['invalid JSON', 'POST', 'Patient', '{"resourceType": "Patient",', 400],
    [
      'a body of the wrong type',
      'POST',
      'Patient',
      { resourceType: 'Observation', status: 'final', code: { text: 'x' } },
      400,
    ],
    ['an id that differs from the URL', 'PUT', 'Patient/abc', { resourceType: 'Patient', id: 'xyz' }, 400],
    ['an update without an id', 'PUT', 'Patient/abc', { resourceType: 'Patient' }, 400],
    ['an unknown element', 'POST', 'Patient', { resourceType: 'Patient', colour: 'blue' }, 400],
    ['a bad date', 'POST', 'Patient', { resourceType: 'Patient', birthDate: '1990-02-31x' }, 400],
    ['a code outside a required value set', 'POST', 'Patient', { resourceType: 'Patient', gender: 'banana' }, 400],
    ['a missing required element', 'POST', 'Observation', { resourceType: 'Observation', code: { text: 'x' } }, 400],
  ])('rejects %s with an OperationOutcome naming the problem', async (_name, method, path, body, status) => {
    const before = (await t.fhir('GET', 'Patient/_history?_count=1')).body;
    const res = await t.fhir(method, path, body);
    expect(res.status).toBe(status);
    expect(res.body.resourceType).toBe('OperationOutcome');
    expect(res.body.issue[0].severity).toBe('error');
    const after = (await t.fhir('GET', 'Patient/_history?_count=1')).body;
    expect(after.entry?.[0]?.fullUrl).toBe(before.entry?.[0]?.fullUrl);
  });

  it('names the element path of a validation error', async () => {
    const res = await t.fhir('POST', 'Patient', { resourceType: 'Patient', gender: 'banana' });
    expect(JSON.stringify(res.body.issue)).toContain('Patient.gender');
  });

  it('rejects a request body larger than the limit', async () => {
    const small = await createTestApp({ CAREWEAVE_MAX_REQUEST_BYTES: '2048' });
    try {
      const res = await small.fhir('POST', 'Patient', {
        ...patient('Big'),
        text: { status: 'generated', div: `<div>${'x'.repeat(5000)}</div>` },
      });
      expect(res.status).toBe(413);
      expect(res.body.resourceType).toBe('OperationOutcome');
      expect(res.body.issue[0].diagnostics).toContain('2048');
    } finally {
      await small.close();
    }
  });

  it('rejects a body in a format it does not read with 415, naming the ones it does', async () => {
    const res = await t.fhir('POST', 'Patient', '@prefix fhir: <http://hl7.org/fhir/> .', {
      'content-type': 'text/turtle',
    });
    expect(res.status).toBe(415);
    expect(res.body.resourceType).toBe('OperationOutcome');
    expect(JSON.stringify(res.body)).toContain('application/fhir+xml');
  });

  it('answers an unknown route with an OperationOutcome', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/fhir/R4/Patient/1/2/3/4' });
    expect(res.statusCode).toBe(404);
    expect(JSON.parse(res.body).resourceType).toBe('OperationOutcome');
  });
});

describe('history', () => {
  it('pages type and system history with next links that ignore later writes', async () => {
    for (let i = 0; i < 5; i++) {
      await t.fhir('POST', 'Organization', { resourceType: 'Organization', name: `Org ${i}` });
    }
    const page1 = await t.fhir('GET', 'Organization/_history?_count=2');
    expect(page1.body.entry).toHaveLength(2);
    const next = page1.body.link.find((l: { relation: string }) => l.relation === 'next').url as string;
    await t.fhir('POST', 'Organization', { resourceType: 'Organization', name: 'Org late' });
    const page2 = await t.fhir('GET', next.replace(t.fhirBase + '/', ''));
    expect(page2.body.entry).toHaveLength(2);
    const names = [...page1.body.entry, ...page2.body.entry].map(
      (e: { resource: { name: string } }) => e.resource.name,
    );
    expect(names).toEqual(['Org 4', 'Org 3', 'Org 2', 'Org 1']);
    const system = await t.fhir('GET', '_history?_count=3');
    expect(system.body.entry).toHaveLength(3);
    expect(system.body.entry[0].resource.name).toBe('Org late');
  });
});
