import { describe, expect, it } from 'vitest';
import { ageOn, eligibility, inAreas, normalisePostcode, type PatientFacts } from './eligibility.ts';
import type { ServiceRules } from './vocabulary.ts';

const TODAY = new Date('2026-12-07T10:00:00Z');
const rules = (r: Partial<ServiceRules> = {}): ServiceRules => ({
  directlyBookable: true,
  triage: false,
  priorities: ['routine', 'urgent'],
  postcodeAreas: [],
  gpPractices: [],
  ...r,
});
const adult: PatientFacts = { birthDate: '1980-06-01', postcode: 'L39 2AT', gpPractice: 'org-p81002' };

describe('eligibility', () => {
  it.each([
    ['any service, no patient', rules(), 'routine', undefined, undefined],
    ['a routine referral to a 2WW clinic', rules({ priorities: ['two-week-wait'] }), 'routine', adult, /two-week wait/],
    ['a 2WW referral to a routine clinic', rules(), 'two-week-wait', adult, /Does not take two-week-wait/],
    ['too young', rules({ minAge: 50 }), 'routine', adult, /aged 50 and over/],
    ['too old', rules({ maxAge: 18 }), 'routine', adult, /aged 18 and under/],
    ['no date of birth, with an age limit', rules({ minAge: 16 }), 'routine', { postcode: 'L39 2AT' }, /date of birth/],
    ['another practice', rules({ gpPractices: ['org-p81016'] }), 'routine', adult, /GP practice/],
    ['the practice', rules({ gpPractices: ['org-p81002'] }), 'routine', adult, undefined],
    ['outside the area', rules({ postcodeAreas: ['WN8'] }), 'routine', adult, /where the patient lives/],
    ['inside the area (district)', rules({ postcodeAreas: ['L39'] }), 'routine', adult, undefined],
    ['inside the area (sector)', rules({ postcodeAreas: ['L39 2'] }), 'routine', adult, undefined],
    ['no postcode, with an area', rules({ postcodeAreas: ['L39'] }), 'routine', { birthDate: '1980-01-01' }, /where/],
  ] as const)('%s', (_case, serviceRules, priority, patient, reason) => {
    const result = eligibility(serviceRules, priority, patient, TODAY);
    expect(result.eligible).toBe(reason === undefined);
    if (reason) {
      expect(result.ineligibleReason).toMatch(reason);
    }
  });

  it.each([
    ['1950-12-07', 76],
    ['1950-12-08', 75],
    // A year alone counts from 1 January.
    ['2010', 16],
    ['nonsense', undefined],
  ])('born %s is %s on 7 December 2026', (birthDate, age) => {
    expect(ageOn(birthDate, TODAY)).toBe(age);
  });

  it.each([
    ['l392at', 'L39 2AT'],
    ['WN8  8LP', 'WN8 8LP'],
    ['SW1A1AA', 'SW1A 1AA'],
    ['12345', undefined],
    [undefined, undefined],
  ])('normalises %s as %s', (given, expected) => {
    expect(normalisePostcode(given)).toBe(expected);
  });

  it('does not take L3 for L39, nor a sector for its neighbour', () => {
    expect(inAreas('L3 9AB', ['L39'])).toBe(false);
    expect(inAreas('L39 3AB', ['L39 2'])).toBe(false);
  });
});
