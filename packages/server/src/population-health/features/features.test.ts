import { describe, expect, it } from 'vitest';
import type { PatientHistory } from '../history/history.ts';
import { ageAt, factsAt, featureVector, FEATURE_NAMES } from './features.ts';
import { frailtyCategory } from './efi.ts';
import { costBetween, TARIFF } from './tariff.ts';

const history: PatientHistory = {
  patientId: 'p1',
  birthDate: '1946-11-15',
  sex: 'male',
  imdDecile: 3,
  deceased: false,
  conditions: [
    { key: 'copd', onset: '2010-01-01' },
    { key: 'heart-failure', onset: '2026-09-01' },
  ],
  deficits: [{ key: 'respiratory-disease', onset: '2010-01-01' }],
  events: [
    { kind: 'emergency-admission', date: '2025-12-20' },
    { kind: 'ae', date: '2026-10-20' },
    { kind: 'emergency-admission', date: '2026-10-20' },
    { kind: 'district-nurse', date: '2026-05-01' },
    { kind: 'gp', date: '2024-01-01' },
  ],
  repeatMedicines: [
    { code: 'a', start: '2020-01-01' },
    { code: 'b', start: '2020-01-01', end: '2025-01-01' },
  ],
  redAlerts: ['2026-10-01', '2025-01-01'],
};

describe('factsAt', () => {
  it('counts only what was known before the index date', () => {
    const now = factsAt(history, new Date('2026-11-01T00:00:00Z'));
    expect(now).toMatchObject({
      age: 79,
      conditions: ['copd', 'heart-failure'],
      emergencyAdmissions12m: 2,
      emergencyAdmissions30d: 1,
      aeAttendances12m: 1,
      repeatMedicines: 1,
      redAlerts90d: 1,
      cost12m: 2 * TARIFF['emergency-admission'] + TARIFF.ae + TARIFF['district-nurse'],
    });
    // Respiratory disease and housebound (district nursing): 2 of 36.
    expect(now.efi).toBeCloseTo(2 / 36, 12);
    const yearAgo = factsAt(history, new Date('2025-11-01T00:00:00Z'));
    expect(yearAgo).toMatchObject({ age: 78, conditions: ['copd'], emergencyAdmissions12m: 0, redAlerts90d: 0 });
  });

  it('gives the model one number per feature', () => {
    const vector = featureVector(factsAt(history, new Date('2026-11-01T00:00:00Z')));
    expect(vector).toHaveLength(FEATURE_NAMES.length);
    expect(vector.every(Number.isFinite)).toBe(true);
    expect(vector[FEATURE_NAMES.indexOf('deprivation')]).toBe(7);
    expect(vector[FEATURE_NAMES.indexOf('emergency-admissions-12m')]).toBeCloseTo(Math.log(3), 12);
  });

  it('scales a short lookback to a year’s rate', () => {
    const facts = factsAt(history, new Date('2026-11-01T00:00:00Z'), 182);
    const vector = featureVector(facts, 182);
    expect(facts.emergencyAdmissions12m).toBe(1);
    expect(vector[FEATURE_NAMES.indexOf('emergency-admissions-12m')]).toBeCloseTo(Math.log1p(365 / 182), 12);
  });
});

describe('ages, frailty and costs', () => {
  it('counts completed years', () => {
    expect(ageAt('2000-03-01', new Date('2026-02-28T00:00:00Z'))).toBe(25);
    expect(ageAt('2000-03-01', new Date('2026-03-01T00:00:00Z'))).toBe(26);
  });
  it('uses the eFI cut-offs', () => {
    expect([0.12, 0.13, 0.24, 0.3, 0.37].map(frailtyCategory)).toEqual(['fit', 'mild', 'mild', 'moderate', 'severe']);
  });
  it('costs the contacts in a period', () => {
    expect(costBetween(history.events, '2026-01-01', '2027-01-01')).toBe(
      TARIFF.ae + TARIFF['emergency-admission'] + TARIFF['district-nurse'],
    );
  });
});
