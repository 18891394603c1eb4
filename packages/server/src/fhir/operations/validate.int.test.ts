import type { OperationOutcome } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actorClient } from '../../access/testing/actor-client.ts';
import { ACTORS, loadScenario } from '../../access/testing/scenario.ts';
import { createTestApp, type TestApp } from '../../testing/app.ts';

/**
 * `$validate` (FHIR R4 Resource-validate), as a standard client calls it: the resource as the body
 * or in Parameters; 200 with an OperationOutcome either way; nothing stored.
 */
let t: TestApp;

beforeAll(async () => {
  t = await createTestApp({}, { modules: [] });
  await loadScenario(t.platform.db, t.fhirBase);
});

afterAll(async () => {
  await t?.close();
});

const severities = (body: OperationOutcome) => body.issue.map((i) => i.severity);
const count = async (type: string) => (await t.fhir('GET', `${type}?_summary=count`)).body.total as number;

describe('$validate', () => {
  it('a valid resource sent as the body: 200, one information issue, nothing stored', async () => {
    const before = await count('Patient');
    const response = await t.fhir('POST', 'Patient/$validate', {
      resourceType: 'Patient',
      name: [{ family: 'Valid' }],
      birthDate: '1950-02-28',
    });
    expect(response.status).toBe(200);
    expect(response.body.resourceType).toBe('OperationOutcome');
    expect(severities(response.body)).toEqual(['information']);
    expect(await count('Patient')).toBe(before);
  });

  it('an invalid one: still 200, every problem named where it is', async () => {
    const response = await t.fhir('POST', 'Patient/$validate', {
      resourceType: 'Patient',
      birthDate: '1950-02-30',
      gender: 'robot',
      identifier: [{ system: 'https://fhir.nhs.uk/Id/nhs-number', value: '9434765918' }],
    });
    expect(response.status).toBe(200);
    const errors = (response.body as OperationOutcome).issue.filter((i) => i.severity === 'error');
    const where = errors.flatMap((i) => i.expression ?? []).join(' ');
    expect(where).toMatch(/birthDate/);
    expect(where).toMatch(/gender/);
    expect(where).toMatch(/identifier/);
  });

  it('in a Parameters body, with mode=update checking the id of the URL', async () => {
    const parameters = (resource: object) => ({
      resourceType: 'Parameters',
      parameter: [
        { name: 'resource', resource },
        { name: 'mode', valueCode: 'update' },
      ],
    });
    const ok = await t.fhir('POST', 'Patient/p1/$validate', parameters({ resourceType: 'Patient', id: 'p1' }));
    expect(ok.status).toBe(200);
    expect(severities(ok.body)).toEqual(['information']);
    const other = await t.fhir('POST', 'Patient/p1/$validate', parameters({ resourceType: 'Patient', id: 'p2' }));
    expect(other.status).toBe(200);
    expect(severities(other.body)).toContain('error');
    // An invalid resource inside Parameters is the answer's subject, not a refusal of the request.
    const bad = await t.fhir(
      'POST',
      'Patient/p1/$validate',
      parameters({ resourceType: 'Patient', id: 'p1', gender: 1 }),
    );
    expect(bad.status).toBe(200);
    expect(severities(bad.body)).toContain('error');
  });

  it('the wrong type for the URL, an unknown profile, a bad mode, no resource', async () => {
    const wrong = await t.fhir('POST', 'Observation/$validate', { resourceType: 'Patient' });
    expect(wrong.status).toBe(200);
    expect(severities(wrong.body)).toContain('error');
    const profiled = await t.fhir(
      'POST',
      'Patient/$validate?profile=https://fhir.hl7.org.uk/StructureDefinition/UKCore-Patient',
      {
        resourceType: 'Patient',
      },
    );
    expect(profiled.status).toBe(200);
    expect(profiled.body.issue).toContainEqual(expect.objectContaining({ severity: 'warning', code: 'not-supported' }));
    expect((await t.fhir('POST', 'Patient/$validate?mode=guess', { resourceType: 'Patient' })).status).toBe(400);
    const none = await t.fhir('POST', 'Patient/$validate', { resourceType: 'Parameters', parameter: [] });
    expect(none.status).toBe(400);
    expect(none.body.resourceType).toBe('OperationOutcome');
  });

  it('mode=delete: hidden and absent look the same', async () => {
    const client = actorClient(t);
    // The community nurse has no relationship with p3 (docs/ACCESS.md scenario).
    const hidden = await client.as(ACTORS.nurse, 'POST', 'Patient/p3/$validate?mode=delete');
    const absent = await client.as(ACTORS.nurse, 'POST', 'Patient/no-such-patient/$validate?mode=delete');
    expect(hidden.status).toBe(404);
    expect(absent.status).toBe(404);
    expect(hidden.body.issue[0].code).toBe(absent.body.issue[0].code);
    const gp = await client.as(ACTORS.gp, 'POST', 'Patient/p1/$validate?mode=delete');
    expect(gp.status).toBe(200);
    expect(severities(gp.body)).toEqual(['information']);
  });
});
