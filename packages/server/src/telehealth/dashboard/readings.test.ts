import type { Observation } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { levelOf, readingOf, worstLevel } from './readings.ts';

const base: Observation = {
  resourceType: 'Observation',
  id: 'o1',
  status: 'final',
  code: { coding: [{ system: 'http://loinc.org', code: '59408-5' }], text: 'Oxygen saturation' },
  effectiveDateTime: '2026-12-06T09:00:00Z',
  valueQuantity: { value: 86, unit: '%' },
};

describe('readings', () => {
  it.each([
    [undefined, 'green', undefined],
    [[{ text: 'red: Oxygen below 88%' }], 'red', 'Oxygen below 88%'],
    [[{ text: 'amber: Pulse 110 or more' }], 'amber', 'Pulse 110 or more'],
  ])('reads the level the service recorded: %j', (interpretation, level, reason) => {
    expect(levelOf({ ...base, ...(interpretation ? { interpretation } : {}) })).toEqual({
      level,
      ...(reason ? { reason } : {}),
    });
  });

  it('shows a blood pressure as one reading with two values', () => {
    const reading = readingOf({
      ...base,
      valueQuantity: undefined,
      code: { coding: [{ system: 'http://loinc.org', code: '85354-9' }], text: 'Blood pressure' },
      component: [
        { code: { text: 'Systolic' }, valueQuantity: { value: 152, unit: 'mmHg' } },
        { code: { text: 'Diastolic' }, valueQuantity: { value: 97, unit: 'mmHg' } },
      ],
    });
    expect(reading).toMatchObject({ measure: '85354-9', display: '152/97 mmHg', level: 'green' });
    expect(reading?.values.map((v) => v.label)).toEqual(['Systolic', 'Diastolic']);
  });

  it('puts red before amber before green', () => {
    expect(worstLevel(['green', undefined, 'amber'])).toBe('amber');
    expect(worstLevel(['amber', 'red'])).toBe('red');
    expect(worstLevel([])).toBeUndefined();
  });
});
