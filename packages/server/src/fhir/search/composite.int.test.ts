import type { Bundle, Observation } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actorClient } from '../../access/testing/actor-client.ts';
import { ACTORS, loadScenario } from '../../access/testing/scenario.ts';
import { createTestApp, type TestApp } from '../../testing/app.ts';

/**
 * Composite search parameters from the R4 specification (issue 15, item 10): every part must match
 * within one item, so the systolic code of one blood-pressure component never pairs with the
 * diastolic value of another.
 */
let t: TestApp;
const LOINC = 'http://loinc.org';
const UCUM = 'http://unitsofmeasure.org';
const SNOMED = 'http://snomed.info/sct';

const mmHg = (value: number) => ({ value, unit: 'mmHg', system: UCUM, code: 'mm[Hg]' });
const bloodPressure = (id: string, systolic: number, diastolic: number): Observation => ({
  resourceType: 'Observation',
  id,
  status: 'final',
  code: { coding: [{ system: LOINC, code: '85354-9', display: 'Blood pressure panel' }] },
  subject: { reference: 'Patient/composite' },
  component: [
    { code: { coding: [{ system: LOINC, code: '8480-6', display: 'Systolic' }] }, valueQuantity: mmHg(systolic) },
    { code: { coding: [{ system: LOINC, code: '8462-4', display: 'Diastolic' }] }, valueQuantity: mmHg(diastolic) },
  ],
});
const resources = [
  { resourceType: 'Patient', id: 'composite' },
  bloodPressure('bp-high', 182, 95),
  bloodPressure('bp-normal', 118, 76),
  // A diastolic of 185 would pair with "systolic > 180" if parts matched across components.
  bloodPressure('bp-crossed', 120, 185),
  {
    resourceType: 'Observation',
    id: 'glucose',
    status: 'final',
    code: { coding: [{ system: LOINC, code: '2339-0' }] },
    subject: { reference: 'Patient/composite' },
    valueQuantity: { value: 9.1, unit: 'mmol/L', system: UCUM, code: 'mmol/L' },
  },
  {
    resourceType: 'Observation',
    id: 'smoker',
    status: 'final',
    code: { coding: [{ system: LOINC, code: '72166-2' }] },
    subject: { reference: 'Patient/composite' },
    valueCodeableConcept: { coding: [{ system: SNOMED, code: '77176002', display: 'Smoker' }] },
  },
  {
    resourceType: 'Observation',
    id: 'onset',
    status: 'final',
    code: { coding: [{ system: LOINC, code: '11368-8' }] },
    subject: { reference: 'Patient/composite' },
    valueDateTime: '2026-03-14',
  },
  {
    resourceType: 'Observation',
    id: 'note',
    status: 'final',
    code: { coding: [{ system: LOINC, code: '8251-1' }] },
    subject: { reference: 'Patient/composite' },
    valueString: 'Feeling $better today',
  },
  {
    resourceType: 'Group',
    id: 'smokers',
    type: 'person',
    actual: false,
    characteristic: [
      {
        code: { coding: [{ system: LOINC, code: '72166-2' }] },
        valueCodeableConcept: { coding: [{ system: SNOMED, code: '77176002' }] },
        exclude: false,
      },
    ],
  },
  {
    resourceType: 'DocumentReference',
    id: 'letter-v2',
    status: 'current',
    subject: { reference: 'Patient/composite' },
    content: [{ attachment: { contentType: 'text/plain', data: 'djI=' } }],
    relatesTo: [{ code: 'replaces', target: { reference: 'DocumentReference/letter-v1' } }],
  },
  {
    resourceType: 'MolecularSequence',
    id: 'variant',
    coordinateSystem: 0,
    type: 'dna',
    referenceSeq: {
      chromosome: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/chromosome-human', code: '1' }] },
      genomeBuild: 'GRCh38',
      windowStart: 22125500,
      windowEnd: 22125510,
    },
    variant: [{ start: 22125503, end: 22125504, observedAllele: 'C', referenceAllele: 'T' }],
  },
  {
    resourceType: 'DocumentReference',
    id: 'letter-v1',
    status: 'superseded',
    subject: { reference: 'Patient/composite' },
    content: [{ attachment: { contentType: 'text/plain', data: 'djE=' } }],
  },
];

beforeAll(async () => {
  t = await createTestApp();
  const bundle = {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: resources.map((resource) => ({
      resource,
      request: { method: 'PUT', url: `${resource.resourceType}/${resource.id}` },
    })),
  };
  const res = await t.fhir('POST', '', bundle);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
});
afterAll(async () => t?.close());

async function ids(query: string): Promise<string[]> {
  const res = await t.fhir('GET', query);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return ((res.body as Bundle).entry ?? [])
    .filter((e) => e.search?.mode !== 'outcome')
    .map((e) => e.resource!.id!)
    .sort();
}

describe('composite search parameters', () => {
  it.each([
    ['component-code-value-quantity', `${LOINC}|8480-6$gt180`, ['bp-high']],
    ['component-code-value-quantity', `${LOINC}|8480-6$lt130`, ['bp-crossed', 'bp-normal']],
    ['component-code-value-quantity', `${LOINC}|8462-4$ge90`, ['bp-crossed', 'bp-high']],
    ['component-code-value-quantity', `8480-6$182|${UCUM}|mm[Hg]`, ['bp-high']],
    // Either alternative (comma) matching is enough.
    ['component-code-value-quantity', `8480-6$gt180,8462-4$lt80`, ['bp-high', 'bp-normal']],
    ['code-value-quantity', `${LOINC}|2339-0$gt9`, ['glucose']],
    ['code-value-quantity', `${LOINC}|2339-0$lt9`, []],
    // combo: the Observation's own value, or any component's.
    ['combo-code-value-quantity', `${LOINC}|2339-0$gt9`, ['glucose']],
    ['combo-code-value-quantity', `${LOINC}|8480-6$gt180`, ['bp-high']],
    ['code-value-concept', `${LOINC}|72166-2$${SNOMED}|77176002`, ['smoker']],
    ['code-value-concept', `72166-2$266919005`, []],
    // A component's Quantity is not its CodeableConcept value (FHIRPath's .as() filters by type).
    ['combo-code-value-concept', `8480-6$${UCUM}|mm[Hg]`, []],
    ['code-value-date', `${LOINC}|11368-8$ge2026-03-01`, ['onset']],
    ['code-value-date', `${LOINC}|11368-8$2025`, []],
    ['code-value-string', `8251-1$feeling \\$better`, ['note']],
  ])('Observation?%s=%s', async (name, value, expected) => {
    expect(await ids(`Observation?${name}=${encodeURIComponent(value)}`)).toEqual(expected);
  });

  it('answers combo-code from the code and component-code rows (no rows of its own)', async () => {
    expect(await ids(`Observation?combo-code=${LOINC}|8480-6`)).toEqual(['bp-crossed', 'bp-high', 'bp-normal']);
    expect(await ids('Observation?combo-code=2339-0,85354-9')).toEqual([
      'bp-crossed',
      'bp-high',
      'bp-normal',
      'glucose',
    ]);
    expect(await ids('Observation?subject=Patient/composite&combo-code:not=8462-4')).toEqual([
      'glucose',
      'note',
      'onset',
      'smoker',
    ]);
    expect(await ids('Observation?subject=Patient/composite&combo-code:missing=true')).toEqual([]);
    expect(await ids('Observation?combo-code:text=systolic')).toEqual(['bp-crossed', 'bp-high', 'bp-normal']);
    const [stored] = await t.database.db.query<{ n: string }>(
      `select count(*) as n from search_token where resource_type = 'Observation' and param = 'combo-code'`,
    );
    expect(Number(stored!.n)).toBe(0);
  });

  it('matches parts within one component, never across two', async () => {
    // bp-crossed has a systolic component and a diastolic of 185: not a systolic above 180.
    expect(await ids(`Observation?component-code-value-quantity=${encodeURIComponent('8480-6$gt180')}`)).toEqual([
      'bp-high',
    ]);
    // The two ordinary parameters ANDed do match it: that is why composites exist.
    expect(await ids('Observation?component-code=8480-6&component-value-quantity=gt180')).toEqual([
      'bp-crossed',
      'bp-high',
    ]);
  });

  it('serves the composites of other types: Group characteristic-value, DocumentReference relationship', async () => {
    expect(await ids(`Group?characteristic-value=${encodeURIComponent(`72166-2$${SNOMED}|77176002`)}`)).toEqual([
      'smokers',
    ]);
    expect(
      await ids(`DocumentReference?relationship=${encodeURIComponent('replaces$DocumentReference/letter-v1')}`),
    ).toEqual(['letter-v2']);
    expect(
      await ids(`DocumentReference?relationship=${encodeURIComponent('transforms$DocumentReference/letter-v1')}`),
    ).toEqual([]);
  });

  it('reads the resource from inside an item (%resource): MolecularSequence coordinates', async () => {
    // The specification's own example search.
    expect(
      await ids(`MolecularSequence?chromosome-variant-coordinate=${encodeURIComponent('1$gt22125500$lt22125510')}`),
    ).toEqual(['variant']);
    expect(
      await ids(`MolecularSequence?chromosome-variant-coordinate=${encodeURIComponent('2$gt22125500$lt22125510')}`),
    ).toEqual([]);
    expect(
      await ids(`MolecularSequence?chromosome-variant-coordinate=${encodeURIComponent('1$gt22125504$lt22125510')}`),
    ).toEqual([]);
  });

  it('supports :missing, _has and chains into a composite', async () => {
    expect(await ids('Observation?subject=Patient/composite&component-code-value-quantity:missing=true')).toEqual([
      'glucose',
      'note',
      'onset',
      'smoker',
    ]);
    expect(
      await ids(`Patient?_has:Observation:subject:component-code-value-quantity=${encodeURIComponent('8480-6$gt180')}`),
    ).toEqual(['composite']);
  });

  it('refuses a value with the wrong number of parts, and modifiers, with an OperationOutcome', async () => {
    const parts = await t.fhir('GET', `Observation?code-value-quantity=${encodeURIComponent(`${LOINC}|2339-0`)}`);
    expect(parts.status).toBe(400);
    expect(parts.body).toMatchObject({
      resourceType: 'OperationOutcome',
      issue: [{ diagnostics: expect.stringContaining("code-value-quantity takes 2 values separated by '$'") }],
    });
    const strict = await t.fhir('GET', 'Observation?code-value-quantity:exact=x$1', undefined, {
      prefer: 'handling=strict',
    });
    expect(strict.status).toBe(400);
    expect(JSON.stringify(strict.body)).toContain('not supported for composite parameters');
  });

  it('keeps its index when a resource changes', async () => {
    const updated = bloodPressure('bp-normal', 190, 76);
    expect((await t.fhir('PUT', 'Observation/bp-normal', updated)).status).toBe(200);
    expect(await ids(`Observation?component-code-value-quantity=${encodeURIComponent('8480-6$gt180')}`)).toEqual([
      'bp-high',
      'bp-normal',
    ]);
    expect((await t.fhir('PUT', 'Observation/bp-normal', bloodPressure('bp-normal', 118, 76))).status).toBe(200);
    expect(await ids(`Observation?component-code-value-quantity=${encodeURIComponent('8480-6$gt180')}`)).toEqual([
      'bp-high',
    ]);
  });
});

describe('composite search under the access policy', () => {
  const SEX_RESULT = `${SNOMED}|16584000$${SNOMED}|260373001`;
  beforeAll(async () => {
    await loadScenario(t.platform.db, t.fhirBase);
    // The GP may not see p1's sexual-health result (no agreement covers it): give it a coded value.
    const hidden = await t.fhir('GET', 'Observation/p1-acute-sex');
    const observation = {
      ...(hidden.body as Observation),
      code: { text: 'Chlamydia screen', coding: [{ system: SNOMED, code: '16584000' }] },
      valueCodeableConcept: { coding: [{ system: SNOMED, code: '260373001', display: 'Detected' }] },
    };
    expect((await t.fhir('PUT', 'Observation/p1-acute-sex', observation)).status).toBe(200);
  });

  it('a composite search, directly or through _has, does not reveal what the caller may not see', async () => {
    const client = actorClient(t);
    const count = async (query: string): Promise<number> => {
      const res = await client.as(ACTORS.gp, 'GET', query);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return (res.body as Bundle).total ?? -1;
    };
    expect(await count(`Observation?code-value-concept=${encodeURIComponent(SEX_RESULT)}&_total=accurate`)).toBe(0);
    expect(
      await count(
        `Patient?_id=p1&_has:Observation:subject:code-value-concept=${encodeURIComponent(SEX_RESULT)}&_total=accurate`,
      ),
    ).toBe(0);
    // The GP does see p1, and the result is there for a caller who may see it.
    expect(await count('Patient?_id=p1&_total=accurate')).toBe(1);
    expect(await ids(`Observation?code-value-concept=${encodeURIComponent(SEX_RESULT)}`)).toEqual(['p1-acute-sex']);
  });
});
