import { describe, expect, it } from 'vitest';
import { describeScope, describeScopes } from './app-consent.ts';

describe('the consent screen’s plain words', () => {
  it.each([
    ['patient/*.rs', 'Read and search everything in your health record (or the record of the person you care for)'],
    ['patient/*.read', 'Read and search everything in your health record (or the record of the person you care for)'],
    [
      'patient/Observation.cruds',
      'Read, search, add to, change and delete from the test results and measurements in your health record (or the record of the person you care for)',
    ],
    ['user/MedicationRequest.r', 'Read the prescriptions in the health records you can see in CareWeave'],
    ['user/Flag.rs', 'Read and search the Flag in the health records you can see in CareWeave'],
    ['launch/patient', 'Know whose health record you are using it with'],
    ['openid', 'Know who you are: your name and your CareWeave account'],
    ['offline_access', 'Stay connected while you are signed in to CareWeave, without asking you again'],
  ])('%s', (scope, words) => {
    expect(describeScope(scope)).toBe(words);
  });

  it('says nothing of what it does not know, and each meaning once', () => {
    expect(describeScope('patient/Observation.rs?category=laboratory')).toBeUndefined();
    expect(describeScopes(['openid', 'profile', 'patient/*.rs', 'patient/*.read'])).toHaveLength(2);
  });
});
