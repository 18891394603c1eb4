import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../testing/app.ts';

let t: TestApp;

const NHS = 'https://fhir.nhs.uk/Id/nhs-number';
const LOINC = 'http://loinc.org';
const UCUM = 'http://unitsofmeasure.org';

const fixtures = [
  {
    resourceType: 'Organization',
    id: 'gp1',
    name: 'Ormskirk Medical Practice',
    identifier: [{ system: 'https://fhir.nhs.uk/Id/ods-organization-code', value: 'P81001' }],
  },
  { resourceType: 'Organization', id: 'gp2', name: 'Skelmersdale Health Centre' },
  {
    resourceType: 'Patient',
    id: 'p1',
    active: true,
    gender: 'female',
    birthDate: '1940-05-12',
    name: [{ family: 'Ashworth', given: ['Edith', 'May'] }],
    identifier: [{ system: NHS, value: '9000000009' }],
    telecom: [{ system: 'phone', value: '01695 000001' }],
    address: [{ city: 'Ormskirk', postalCode: 'L39 2AZ' }],
    generalPractitioner: [{ reference: 'Organization/gp1' }],
  },
  {
    resourceType: 'Patient',
    id: 'p2',
    active: true,
    gender: 'male',
    birthDate: '1985',
    name: [{ family: 'Ashton', given: ['Jack'] }],
    identifier: [{ system: NHS, value: '9000000017' }],
    address: [{ city: 'Skelmersdale', postalCode: 'WN8 6LU' }],
    generalPractitioner: [{ reference: 'Organization/gp2' }],
  },
  {
    resourceType: 'Patient',
    id: 'p3',
    active: false,
    gender: 'female',
    birthDate: '2001-11-30',
    name: [{ family: 'Müller', given: ['Zoë'] }],
    identifier: [{ system: 'urn:other', value: '9000000017' }],
  },
  { resourceType: 'Patient', id: 'p4', gender: 'unknown', name: [{ text: 'No Family Name' }] },
  obs('o1', 'p1', '8867-4', 'Heart rate', 72, '/min', '2024-01-10T09:00:00Z'),
  obs('o2', 'p1', '8867-4', 'Heart rate', 95, '/min', '2024-03-15T09:00:00Z'),
  obs('o3', 'p1', '29463-7', 'Body weight', 61.5, 'kg', '2023-06-01'),
  obs('o4', 'p2', '8867-4', 'Heart rate', 100, '/min', '2024-02-20T14:30:00+01:00'),
  obs('o5', 'p2', '29463-7', 'Body weight', 88, 'kg', '2024-02'),
  {
    resourceType: 'Encounter',
    id: 'e1',
    status: 'finished',
    class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'IMP' },
    subject: { reference: 'Patient/p1' },
    serviceProvider: { reference: 'Organization/gp1' },
    period: { start: '2024-01-05T10:00:00Z', end: '2024-01-12T16:00:00Z' },
  },
  {
    resourceType: 'Encounter',
    id: 'e2',
    status: 'in-progress',
    class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'EMER' },
    subject: { reference: 'Patient/p2' },
    period: { start: '2024-03-01T08:00:00Z' },
  },
  {
    resourceType: 'RiskAssessment',
    id: 'r1',
    status: 'final',
    subject: { reference: 'Patient/p1' },
    prediction: [{ probabilityDecimal: 0.25 }],
  },
  {
    resourceType: 'RiskAssessment',
    id: 'r2',
    status: 'final',
    subject: { reference: 'Patient/p2' },
    prediction: [{ probabilityDecimal: 0.7 }],
  },
  { resourceType: 'ValueSet', id: 'vs1', status: 'active', url: 'http://careweave.example/fhir/ValueSet/ltc' },
  { resourceType: 'ValueSet', id: 'vs2', status: 'active', url: 'http://careweave.example/fhir/ValueSet/ltc/sub' },
];

function obs(
  id: string,
  patient: string,
  code: string,
  display: string,
  value: number,
  unit: string,
  effective: string,
) {
  return {
    resourceType: 'Observation',
    id,
    status: 'final',
    category: [
      { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs' }] },
    ],
    code: { coding: [{ system: LOINC, code, display }], text: display },
    subject: { reference: `Patient/${patient}` },
    effectiveDateTime: effective,
    valueQuantity: { value, unit, system: UCUM, code: unit },
  };
}

beforeAll(async () => {
  t = await createTestApp();
  const bundle = {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: fixtures.map((resource) => ({
      resource,
      request: { method: 'PUT', url: `${resource.resourceType}/${resource.id}` },
    })),
  };
  const res = await t.fhir('POST', '', bundle);
  expect(res.status).toBe(200);
});
afterAll(async () => t.close());

async function ids(query: string): Promise<string[]> {
  const res = await t.fhir('GET', query);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return (res.body.entry ?? [])
    .filter((e: { search?: { mode: string } }) => e.search?.mode === 'match')
    .map((e: { resource: { id: string } }) => e.resource.id)
    .sort();
}

describe.each([
  // string
  ['string default is a case-insensitive prefix', 'Patient?family=ash', ['p1', 'p2']],
  ['string matches any name part', 'Patient?name=edith', ['p1']],
  ['string ignores accents', 'Patient?name=muller', ['p3']],
  ['string :exact is case-sensitive and whole', 'Patient?family:exact=Ashworth', ['p1']],
  ['string :exact rejects a prefix', 'Patient?family:exact=Ash', []],
  ['string :contains', 'Patient?family:contains=HWOR', ['p1']],
  ['string on an address', 'Patient?address-postalcode=WN8', ['p2']],
  ['string OR with commas', 'Patient?family=ashw,mul', ['p1', 'p3']],
  ['string AND when repeated', 'Patient?name=ash&name=jack', ['p2']],
  // token
  ['token code only', 'Patient?gender=female', ['p1', 'p3']],
  ['token system|code', `Patient?identifier=${NHS}|9000000017`, ['p2']],
  ['token code without system matches any system', 'Patient?identifier=9000000017', ['p2', 'p3']],
  ['token system| (any code in system)', `Patient?identifier=${NHS}|`, ['p1', 'p2']],
  ['token |code (no system)', 'Patient?gender=|male', ['p2']],
  ['token :not', 'Patient?gender:not=female', ['p2', 'p4']],
  ['token :text on CodeableConcept text', 'Observation?code:text=heart', ['o1', 'o2', 'o4']],
  ['token boolean', 'Patient?active=false', ['p3']],
  ['token on ContactPoint', 'Patient?phone=01695 000001', ['p1']],
  ['token CodeableConcept coding', `Observation?code=${LOINC}|29463-7`, ['o3', 'o5']],
  ['token Coding (Encounter.class)', 'Encounter?class=EMER', ['e2']],
  // reference
  ['reference Type/id', 'Observation?subject=Patient/p2', ['o4', 'o5']],
  ['reference bare id', 'Observation?patient=p2', ['o4', 'o5']],
  [
    'reference absolute URL on this server',
    'Observation?subject=http://careweave.test/fhir/R4/Patient/p1',
    ['o1', 'o2', 'o3'],
  ],
  ['reference with :Type modifier', 'Observation?subject:Patient=p1', ['o1', 'o2', 'o3']],
  ['reference chained', `Observation?subject:Patient.identifier=${NHS}|9000000017`, ['o4', 'o5']],
  ['reference chained by name', 'Observation?patient.family=ashworth', ['o1', 'o2', 'o3']],
  ['reference chained two levels', 'Observation?patient.general-practitioner.name=skelmersdale', ['o4', 'o5']],
  ['_has reverse chain', `Patient?_has:Observation:patient:code=${LOINC}|29463-7`, ['p1', 'p2']],
  ['_has with value', 'Patient?_has:Observation:patient:value-quantity=gt90', ['p1', 'p2']],
  // date
  ['date eq day (instant within day)', 'Observation?date=2024-01-10', ['o1']],
  ['date eq month', 'Observation?date=2024-02', ['o4', 'o5']],
  ['date eq year', 'Observation?date=2023', ['o3']],
  ['date gt (a month overlapping the later range matches)', 'Observation?date=gt2024-02-20', ['o2', 'o5']],
  ['date ge', 'Observation?date=ge2024-02-20', ['o2', 'o4', 'o5']],
  ['date lt', 'Observation?date=lt2024-01-10', ['o3']],
  ['date le', 'Observation?date=le2024-01-10', ['o1', 'o3']],
  ['date ne', 'Observation?date=ne2024-01-10', ['o2', 'o3', 'o4', 'o5']],
  ['date sa', 'Observation?date=sa2024-02-29', ['o2']],
  ['date eb', 'Observation?date=eb2024-01-01', ['o3']],
  ['date ap', 'Observation?date=ap2023-06-01', ['o3']],
  ['date range with two params', 'Observation?date=ge2024-01-01&date=lt2024-03-01', ['o1', 'o4', 'o5']],
  ['date with time zone', 'Observation?date=2024-02-20T13:30:00Z', ['o4']],
  ['date Period within a month', 'Encounter?date=2024-01', ['e1']],
  ['date Period overlapping a later range', 'Encounter?date=ge2024-01-08', ['e1', 'e2']],
  ['date open Period', 'Encounter?date=ge2025-01-01', ['e2']],
  ['date birthDate year-only value', 'Patient?birthdate=1985', ['p2']],
  ['date birthdate lt', 'Patient?birthdate=lt1950', ['p1']],
  // number
  ['number eq with implicit precision', 'RiskAssessment?probability=0.25', ['r1']],
  ['number eq coarse precision', 'RiskAssessment?probability=0.3', ['r1']],
  ['number gt', 'RiskAssessment?probability=gt0.5', ['r2']],
  ['number le', 'RiskAssessment?probability=le0.25', ['r1']],
  ['number ne', 'RiskAssessment?probability=ne0.25', ['r2']],
  // quantity
  ['quantity value only', 'Observation?value-quantity=72', ['o1']],
  ['quantity gt with system and code', `Observation?value-quantity=gt80|${UCUM}|kg`, ['o5']],
  ['quantity with unit only', 'Observation?value-quantity=lt100||kg', ['o3', 'o5']],
  ['quantity ge', 'Observation?value-quantity=ge95', ['o2', 'o4']],
  ['quantity ap', 'Observation?value-quantity=ap90', ['o2', 'o5']],
  // uri
  ['uri exact', 'ValueSet?url=http://careweave.example/fhir/ValueSet/ltc', ['vs1']],
  ['uri :below', 'ValueSet?url:below=http://careweave.example/fhir/ValueSet/ltc', ['vs1', 'vs2']],
  ['uri :above', 'ValueSet?url:above=http://careweave.example/fhir/ValueSet/ltc/sub/deeper', ['vs1', 'vs2']],
  // :missing
  ['string :missing=true', 'Patient?family:missing=true', ['p4']],
  ['token :missing=false', 'Patient?active:missing=false', ['p1', 'p2', 'p3']],
  ['reference :missing=true', 'Patient?general-practitioner:missing=true', ['p3', 'p4']],
  ['date :missing=true', 'Patient?birthdate:missing=true', ['p4']],
  // special
  ['_id', 'Patient?_id=p1,p3', ['p1', 'p3']],
  ['_lastUpdated', 'Patient?_lastUpdated=gt2000-01-01', ['p1', 'p2', 'p3', 'p4']],
  ['_lastUpdated in the future', 'Patient?_lastUpdated=gt2999-01-01', []],
  ['_tag absent', 'Patient?_tag=x', []],
])('%s', (_name, query, expected) => {
  it(`${query} → ${expected.join(',') || 'nothing'}`, async () => {
    expect(await ids(query)).toEqual([...expected].sort());
  });
});

describe('POST _search', () => {
  it('accepts form-encoded parameters like GET', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/fhir/R4/Patient/_search',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'family=ash&gender=male',
    });
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body).entry.map((e: { resource: { id: string } }) => e.resource.id)).toEqual(['p2']);
  });
});

describe('sorting', () => {
  it.each([
    ['Observation?_sort=date', ['o3', 'o1', 'o5', 'o4', 'o2']],
    ['Observation?_sort=-date', ['o2', 'o5', 'o4', 'o1', 'o3']],
    ['Observation?_sort=code,-value-quantity', ['o3', 'o5', 'o4', 'o2', 'o1'].sort(() => 0)],
    ['Patient?_sort=family', ['p2', 'p1', 'p3', 'p4']],
    ['Patient?_sort=-birthdate', ['p3', 'p2', 'p1', 'p4']],
    ['Patient?_sort=-_id', ['p4', 'p3', 'p2', 'p1']],
  ])('%s', async (query, expected) => {
    const res = await t.fhir('GET', query);
    const order = res.body.entry.map((e: { resource: { id: string } }) => e.resource.id);
    if (query.includes('code,-value')) {
      // 29463-7 sorts before 8867-4 (text); within a code, values descend.
      expect(order).toEqual(['o5', 'o3', 'o4', 'o2', 'o1']);
    } else {
      expect(order).toEqual(expected);
    }
  });

  it('rejects sorting by an unknown parameter', async () => {
    expect((await t.fhir('GET', 'Patient?_sort=colour')).status).toBe(400);
  });
});

describe('paging', () => {
  it('walks forward and back with next/previous links, stable under concurrent writes', async () => {
    const first = await t.fhir('GET', 'Observation?_sort=date&_count=2');
    expect(first.body.entry.map((e: { resource: { id: string } }) => e.resource.id)).toEqual(['o3', 'o1']);
    const nextUrl = first.body.link.find((l: { relation: string }) => l.relation === 'next').url as string;
    // A new resource that sorts before the cursor must not shift the next page.
    await t.fhir('PUT', 'Observation/o0', obs('o0', 'p1', '8867-4', 'Heart rate', 60, '/min', '2020-01-01'));
    const second = await t.fhir('GET', nextUrl.replace(`${t.fhirBase}/`, ''));
    expect(second.body.entry.map((e: { resource: { id: string } }) => e.resource.id)).toEqual(['o5', 'o4']);
    const prevUrl = second.body.link.find((l: { relation: string }) => l.relation === 'previous').url as string;
    const back = await t.fhir('GET', prevUrl.replace(`${t.fhirBase}/`, ''));
    expect(back.body.entry.map((e: { resource: { id: string } }) => e.resource.id)).toEqual(['o3', 'o1']);
    const third = await t.fhir(
      'GET',
      (second.body.link.find((l: { relation: string }) => l.relation === 'next').url as string).replace(
        `${t.fhirBase}/`,
        '',
      ),
    );
    expect(third.body.entry.map((e: { resource: { id: string } }) => e.resource.id)).toEqual(['o2']);
    expect(third.body.link.find((l: { relation: string }) => l.relation === 'next')).toBeUndefined();
    await t.fhir('DELETE', 'Observation/o0');
  });

  it('rejects a tampered cursor', async () => {
    expect((await t.fhir('GET', 'Observation?_cursor=garbage')).status).toBe(400);
  });
});

describe('result parameters', () => {
  it('_summary=count returns only the total', async () => {
    const res = await t.fhir('GET', 'Observation?_summary=count');
    expect(res.body.total).toBe(5);
    expect(res.body.entry).toBeUndefined();
  });

  it('_total=accurate counts beyond the page', async () => {
    const res = await t.fhir('GET', 'Observation?_count=1&_total=accurate');
    expect(res.body.total).toBe(5);
    expect(res.body.entry).toHaveLength(1);
  });

  it('_elements keeps only the named elements and marks the result SUBSETTED', async () => {
    const res = await t.fhir('GET', 'Patient?_id=p1&_elements=gender');
    const p = res.body.entry[0].resource;
    expect(p.gender).toBe('female');
    expect(p.name).toBeUndefined();
    expect(p.meta.tag.some((tag: { code: string }) => tag.code === 'SUBSETTED')).toBe(true);
  });

  it('_summary=true keeps summary elements only', async () => {
    const res = await t.fhir('GET', 'Patient?_id=p1&_summary=true');
    const p = res.body.entry[0].resource;
    expect(p.name).toBeDefined();
    expect(p.birthDate).toBeDefined();
    expect(p.text).toBeUndefined();
  });

  it('_include adds referenced resources', async () => {
    const res = await t.fhir('GET', 'Observation?code=29463-7&_include=Observation:patient');
    const included = res.body.entry.filter((e: { search: { mode: string } }) => e.search.mode === 'include');
    expect(included.map((e: { resource: { id: string } }) => e.resource.id).sort()).toEqual(['p1', 'p2']);
  });

  it('_revinclude adds referring resources, and :iterate goes one level further', async () => {
    const res = await t.fhir('GET', 'Patient?_id=p2&_revinclude=Encounter:subject');
    expect(res.body.entry.map((e: { resource: { id: string } }) => e.resource.id)).toEqual(['p2', 'e2']);
    const iter = await t.fhir(
      'GET',
      'Observation?_id=o1&_include=Observation:patient&_include:iterate=Patient:general-practitioner',
    );
    expect(iter.body.entry.map((e: { resource: { id: string } }) => e.resource.id).sort()).toEqual(['gp1', 'o1', 'p1']);
  });

  it('warns about unknown parameters by default and fails with handling=strict', async () => {
    const lenient = await t.fhir('GET', 'Patient?colour=blue&family=ashworth');
    expect(lenient.status).toBe(200);
    const outcome = lenient.body.entry.find((e: { search: { mode: string } }) => e.search.mode === 'outcome');
    expect(outcome.resource.issue[0].severity).toBe('warning');
    expect(outcome.resource.issue[0].diagnostics).toContain('colour');
    const strict = await t.fhir('GET', 'Patient?colour=blue', undefined, { prefer: 'handling=strict' });
    expect(strict.status).toBe(400);
    expect(strict.body.resourceType).toBe('OperationOutcome');
  });

  it.each([
    ['a bad date', 'Observation?date=yesterday'],
    ['a bad number', 'RiskAssessment?probability=lots'],
    ['a bad _count', 'Patient?_count=-1'],
    ['an unknown _include', 'Patient?_include=Patient:colour'],
  ])('rejects %s with 400', async (_name, query) => {
    const res = await t.fhir('GET', query);
    expect(res.status).toBe(400);
    expect(res.body.resourceType).toBe('OperationOutcome');
  });

  it('treats SQL in a value as plain data', async () => {
    const res = await t.fhir('GET', `Patient?family=${encodeURIComponent("x' or 1=1; drop table resource; --")}`);
    expect(res.status).toBe(200);
    expect(res.body.entry ?? []).toHaveLength(0);
    expect((await t.fhir('GET', 'Patient/p1')).status).toBe(200);
  });
});

describe('$everything', () => {
  it('returns the patient, their compartment and what it references', async () => {
    const res = await t.fhir('GET', 'Patient/p1/$everything');
    expect(res.status).toBe(200);
    const found = res.body.entry.map((e: { resource: { id: string } }) => e.resource.id).sort();
    expect(found).toEqual(['e1', 'gp1', 'o1', 'o2', 'o3', 'p1', 'r1']);
  });

  it('404s for an unknown patient', async () => {
    expect((await t.fhir('GET', 'Patient/nobody/$everything')).status).toBe(404);
  });
});
