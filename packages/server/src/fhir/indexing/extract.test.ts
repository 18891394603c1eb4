import type { Observation } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { extractIndex } from './extract.ts';

const BASE = 'https://careweave.example/fhir/R4';

const observation = (text: string): Observation => ({
  resourceType: 'Observation',
  id: 'o1',
  status: 'final',
  code: { coding: [{ system: 'http://loinc.org', code: '8867-4', display: 'Heart rate' }], text },
  valueQuantity: { value: 72, unit: '/min', system: 'http://unitsofmeasure.org', code: '/min' },
});

const tokenRows = (resource: Observation, param: string) =>
  extractIndex(resource, BASE).rows.token.filter((row) => row[0] === param);

describe('token index rows', () => {
  it('writes a text row only when no coding displays the same text', () => {
    expect(tokenRows(observation('Heart rate'), 'code')).toEqual([
      ['code', 'http://loinc.org', '8867-4', 'Heart rate'],
    ]);
    expect(tokenRows(observation('Pulse'), 'code')).toEqual([
      ['code', 'http://loinc.org', '8867-4', 'Heart rate'],
      ['code', null, null, 'Pulse'],
    ]);
  });

  it("gives a composite's token part no text-only rows, which no composite search can match", () => {
    expect(tokenRows(observation('Pulse'), 'code-value-quantity$0')).toEqual([
      ['code-value-quantity$0', 'http://loinc.org', '8867-4', 'Heart rate', 0],
    ]);
    const textOnly: Observation = { ...observation('Pulse'), code: { text: 'Pulse' } };
    expect(tokenRows(textOnly, 'code-value-quantity$0')).toEqual([['code-value-quantity$0', null, null, 'Pulse', 0]]);
  });
});
