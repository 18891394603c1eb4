import { describe, expect, it } from 'vitest';
import {
  EMERGENCY_ADMISSION_COEFFICIENTS,
  emergencyAdmissionLogit,
  emergencyAdmissionProbability,
  expectedEmergencyAdmissionsPerYear,
  type PatientFeatures,
} from './admissions.ts';

const base: PatientFeatures = { age: 50, sex: 'female', imdDecile: 10, conditions: [] };

describe('emergencyAdmissionProbability (hidden model)', () => {
  it('matches the documented formula at a reference point', () => {
    const c = EMERGENCY_ADMISSION_COEFFICIENTS;
    const f: PatientFeatures = {
      age: 80,
      sex: 'male',
      imdDecile: 3,
      conditions: ['copd', 'heart-failure', 'hypertension', 'ckd'],
    };
    const z =
      c.intercept +
      c.agePerDecade * 8 +
      c.agePerDecadeOver65 * 1.5 +
      c.male +
      c.deprivationPerDecile * 7 +
      c.conditions.copd +
      c.conditions['heart-failure'] +
      c.conditions.hypertension +
      c.conditions.ckd +
      c.multimorbidityPerConditionOver2 * 2;
    expect(emergencyAdmissionLogit(f)).toBeCloseTo(z, 12);
    expect(emergencyAdmissionProbability(f)).toBeCloseTo(1 / (1 + Math.exp(-z)), 12);
    expect(expectedEmergencyAdmissionsPerYear(f)).toBeCloseTo(-Math.log(1 - 1 / (1 + Math.exp(-z))), 12);
  });

  it('rises with age (after early childhood), deprivation, male sex and each condition', () => {
    const p = (f: Partial<PatientFeatures>): number => emergencyAdmissionProbability({ ...base, ...f });
    expect(p({ age: 30 })).toBeLessThan(p({ age: 60 }));
    expect(p({ age: 60 })).toBeLessThan(p({ age: 80 }));
    expect(p({ age: 80 })).toBeLessThan(p({ age: 95 }));
    expect(p({ age: 0 })).toBeGreaterThan(p({ age: 10 }));
    expect(p({ imdDecile: 1 })).toBeGreaterThan(p({ imdDecile: 10 }));
    expect(p({ sex: 'male' })).toBeGreaterThan(p({ sex: 'female' }));
    for (const key of Object.keys(EMERGENCY_ADMISSION_COEFFICIENTS.conditions)) {
      expect(p({ conditions: [key as PatientFeatures['conditions'][number]] })).toBeGreaterThan(p({}));
    }
    // Duplicates are ignored.
    expect(p({ conditions: ['copd', 'copd'] })).toBe(p({ conditions: ['copd'] }));
  });

  it('stays a probability', () => {
    const worst: PatientFeatures = {
      age: 104,
      sex: 'male',
      imdDecile: 1,
      conditions: [
        'hypertension',
        'diabetes',
        'copd',
        'asthma',
        'atrial-fibrillation',
        'heart-failure',
        'ckd',
        'depression',
        'dementia',
        'stroke',
        'cancer',
      ],
    };
    expect(emergencyAdmissionProbability(worst)).toBeLessThan(1);
    expect(emergencyAdmissionProbability({ ...base, age: 10 })).toBeGreaterThan(0);
  });
});
