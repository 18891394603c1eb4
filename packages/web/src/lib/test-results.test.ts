import type { Observation } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { latestTestResults, plainTestName } from './test-results.ts';

const lab = [
  { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] },
];

function result(code: string, value: number, date: string, range?: Observation['referenceRange']): Observation {
  return {
    resourceType: 'Observation',
    status: 'final',
    category: lab,
    code: { coding: [{ system: 'http://loinc.org', code, display: 'Long LOINC display [Mass/volume] in Serum' }] },
    valueQuantity: { value, unit: 'mmol/L' },
    effectiveDateTime: date,
    ...(range ? { referenceRange: range } : {}),
  };
}

describe('latestTestResults', () => {
  it('keeps the newest result of each test, with its plain name, range and flag', () => {
    const results = latestTestResults([
      result('2093-3', 6.8, '2025-01-01', [{ high: { value: 5, unit: 'mmol/L' } }]),
      result('2093-3', 4.1, '2026-06-01', [{ high: { value: 5, unit: 'mmol/L' } }]),
      result('2345-7', 3.1, '2026-03-01', [{ low: { value: 4 }, high: { value: 7 } }]),
    ]);
    expect(results.map((r) => [r.name, r.value, r.range, r.flag])).toEqual([
      ['Total cholesterol', '4.1 mmol/L', 'up to 5 mmol/L', 'normal'],
      ['Blood glucose', '3.1 mmol/L', '4 to 7 mmol/L', 'low'],
    ]);
  });

  it('leaves out vital signs and results with no range unflagged', () => {
    const vital = { ...result('8867-4', 70, '2026-01-01'), category: [{ coding: [{ code: 'vital-signs' }] }] };
    const noRange = result('2160-0', 90, '2026-01-01');
    const results = latestTestResults([vital, noRange]);
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ range: undefined, flag: undefined });
  });

  it("uses the lab's own range text when it gave one", () => {
    const [only] = latestTestResults([result('4548-4', 50, '2026-01-01', [{ text: 'Below 48 mmol/mol' }])]);
    expect(only!.range).toBe('Below 48 mmol/mol');
  });
});

describe('plainTestName', () => {
  it.each([
    ['Calcium [Mass/volume] in Serum or Plasma', 'Calcium'],
    ['Leukocytes [#/volume] in Blood by Automated count', 'Leukocytes'],
    ['Hemoglobin A1c/Hemoglobin.total in Blood', 'Hemoglobin A1c/Hemoglobin.total'],
    ['eGFR', 'eGFR'],
    ['[Weird]', '[Weird]'],
  ])('%s → %s', (long, plain) => {
    expect(plainTestName(long)).toBe(plain);
  });
});
