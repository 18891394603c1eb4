import { describe, expect, test } from 'vitest';
import { GENERIC_SMS, GENERIC_URGENT_SMS, identifyingWords, smsText } from './texts.ts';

const patient = {
  name: [{ given: ['Ada', 'Jo'], family: 'Lovelace' }],
  identifier: [{ system: 'https://fhir.nhs.uk/Id/nhs-number', value: '9434765919' }],
};
const words = identifyingWords(patient);

describe('text messages carry nothing that identifies the patient', () => {
  test.each([
    ['a minimal text is kept', 'CareWeave: a patient of yours was admitted. Sign in to see who.', 'routine', 'kept'],
    ['the family name', 'CareWeave: Mrs Lovelace was admitted', 'routine', GENERIC_SMS],
    ['a given name, any case', 'CareWeave: ADA was admitted', 'urgent', GENERIC_URGENT_SMS],
    ['the NHS number, spaced', 'Patient 943 476 5919 admitted', 'routine', GENERIC_SMS],
    ['a value', 'CareWeave: blood pressure result 182/110', 'routine', GENERIC_SMS],
    ['nothing given', undefined, 'routine', GENERIC_SMS],
    ['too long', 'x'.repeat(400), 'routine', GENERIC_SMS],
  ] as const)('%s', (_name, wanted, priority, expected) => {
    expect(smsText(wanted, priority, words)).toBe(expected === 'kept' ? wanted : expected);
  });

  test('short names (two letters) are not treated as identifying', () => {
    expect(words).not.toContain('jo');
  });
});
