import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../testing/app.ts';

/**
 * Number and quantity search at the precision clients store: Synthea writes 17 significant digits
 * (`3.2540948513714594`), and searching for the value as stored must find it (issue 15, item 8).
 */
let t: TestApp;
const UCUM = 'http://unitsofmeasure.org';

/** A number written as given (`"#3.2540948513714597#"` becomes 3.2540948513714597 in the request body). */
const exact = (text: string): string => `#${text}#`;

const observation = (id: string, value: number | string) => ({
  resourceType: 'Observation',
  id,
  status: 'final',
  code: { coding: [{ system: 'http://loinc.org', code: '2339-0' }] },
  valueQuantity: { value, unit: 'mmol/L', system: UCUM, code: 'mmol/L' },
});
const risk = (id: string, probabilityDecimal: number | string) => ({
  resourceType: 'RiskAssessment',
  id,
  status: 'final',
  subject: { reference: 'Patient/precise' },
  prediction: [{ probabilityDecimal }],
});

beforeAll(async () => {
  t = await createTestApp();
  const resources = [
    { resourceType: 'Patient', id: 'precise' },
    observation('synthea', exact('3.2540948513714594')),
    observation('neighbour', exact('3.2540948513714597')),
    observation('rounded', 3.25),
    // Written with more digits than a double holds: stored as the double it reads as (0.1).
    observation('long', exact('0.10000000000000001')),
    risk('ra-precise', exact('0.12345678901234567')),
    risk('ra-coarse', 0.123),
  ];
  const bundle = {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: resources.map((resource) => ({
      resource,
      request: { method: 'PUT', url: `${resource.resourceType}/${resource.id}` },
    })),
  };
  const text = JSON.stringify(bundle).replace(/"#([-0-9.eE]+)#"/g, '$1');
  expect((await t.fhir('POST', '', text, { 'content-type': 'application/fhir+json' })).status).toBe(200);
});
afterAll(async () => t.close());

async function ids(query: string): Promise<string[]> {
  const res = await t.fhir('GET', query);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return (res.body.entry ?? []).map((e: { resource: { id: string } }) => e.resource.id).sort();
}

describe('search at full stored precision', () => {
  it.each([
    ['the stored 17-digit value', 'Observation?value-quantity=3.2540948513714594', ['synthea']],
    ['with system and code', `Observation?value-quantity=3.2540948513714594|${UCUM}|mmol/L`, ['synthea']],
    ['its neighbour, one double away', 'Observation?value-quantity=3.2540948513714597', ['neighbour']],
    ['ne at full precision', 'Observation?value-quantity=ne3.2540948513714594', ['long', 'neighbour', 'rounded']],
    [
      'a coarser value: its implicit range holds all three',
      'Observation?value-quantity=3.254',
      ['neighbour', 'synthea'],
    ],
    ['two decimals', 'Observation?value-quantity=3.25', ['neighbour', 'rounded', 'synthea']],
    ['more digits than a double holds', 'Observation?value-quantity=0.10000000000000001', ['long']],
    ['the double it reads as', 'Observation?value-quantity=0.1', ['long']],
    ['number at full precision', 'RiskAssessment?probability=0.12345678901234567', ['ra-precise']],
    ['number at three decimals', 'RiskAssessment?probability=0.123', ['ra-coarse', 'ra-precise']],
    ['number gt, with a prefix (no implicit range)', 'RiskAssessment?probability=gt0.1234', ['ra-precise']],
  ])('%s', async (_name, query, expected) => {
    expect(await ids(query)).toEqual(expected);
  });
});
