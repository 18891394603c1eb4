import type { Observation } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { hba1cMmolPerMol, observationName } from './observations.ts';

const observation = (code: string, display: string, valueQuantity?: Observation['valueQuantity']): Observation => ({
  resourceType: 'Observation',
  status: 'final',
  code: { coding: [{ system: 'http://loinc.org', code, display }] },
  valueQuantity,
});

describe('observationName', () => {
  it.each([
    ['33914-3', 'Glomerular filtration rate/1.73 sq M.predicted [Volume Rate/Area] in Serum or Plasma', 'eGFR'],
    ['4548-4', 'Hemoglobin A1c/Hemoglobin.total in Blood', 'HbA1c'],
    ['14647-2', 'Cholesterol [Moles/volume] in Serum or Plasma', 'Total cholesterol'],
    ['718-7', 'Hemoglobin [Mass/volume] in Blood', 'Haemoglobin'],
  ])('names LOINC %s as clinicians do', (code, display, expected) => {
    expect(observationName(observation(code, display))).toBe(expected);
  });

  it("keeps the record's own text for a code it does not know", () => {
    expect(observationName(observation('99999-9', 'Something rare'))).toBe('Something rare');
  });
});

describe('hba1cMmolPerMol', () => {
  it('converts HbA1c % to mmol/mol and refuses unknown units', () => {
    expect(hba1cMmolPerMol(observation('4548-4', 'HbA1c', { value: 6.5, unit: '%', code: '%' }))).toBe(48);
    expect(hba1cMmolPerMol(observation('4548-4', 'HbA1c', { value: 53, unit: 'mmol/mol', code: 'mmol/mol' }))).toBe(53);
    expect(hba1cMmolPerMol(observation('4548-4', 'HbA1c', { value: 7, unit: 'mg/dL', code: 'mg/dL' }))).toBeUndefined();
  });
});
