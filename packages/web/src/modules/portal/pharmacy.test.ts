import { describe, expect, it } from 'vitest';
import { looksLikePostcode, nominatedPharmacyId, NOMINATED_PHARMACY_URL, pharmacySearch } from './pharmacy.ts';

describe('pharmacy search', () => {
  it.each([
    ['L39', true],
    ['wn8 6', true],
    ['L39 2AQ', true],
    ['Moor Street', false],
    ['Boots', false],
    ['', false],
  ])('%s looks like a postcode: %s', (text, expected) => {
    expect(looksLikePostcode(text)).toBe(expected);
  });

  it('searches a postcode by its start and a name anywhere in it, pharmacies only', () => {
    expect(pharmacySearch(' wn8 ')).toMatchObject({ 'address-postalcode': 'WN8', active: 'true' });
    expect(pharmacySearch('chemist')).toMatchObject({ 'name:contains': 'chemist' });
    expect(pharmacySearch('chemist').type).toMatch(/\|pharmacy$/);
  });

  it('reads the nomination from the patient', () => {
    const extension = [{ url: NOMINATED_PHARMACY_URL, valueReference: { reference: 'Organization/org-1' } }];
    expect(nominatedPharmacyId({ resourceType: 'Patient', extension })).toBe('org-1');
    expect(nominatedPharmacyId({ resourceType: 'Patient' })).toBeUndefined();
  });
});
