import { describe, expect, it } from 'vitest';
import { dateParts, readDateParts } from './date-parts.ts';

const TODAY = '2026-12-07';

describe('readDateParts', () => {
  it.each([
    [{ day: '31', month: '3', year: '2027' }, { value: '2027-03-31' }],
    [{ day: ' 7 ', month: '12', year: '2026' }, { value: '2026-12-07' }],
    [{ day: '', month: '', year: '' }, { value: '' }],
    [{ day: '', month: '3', year: '2027' }, { error: 'The end date must include a day' }],
    [{ day: '1', month: '', year: '' }, { error: 'The end date must include a month and year' }],
    [{ day: '29', month: '2', year: '2027' }, { error: 'The end date must be a real date, like 7 12 2026' }],
    [{ day: '1', month: '13', year: '2027' }, { error: 'The end date must be a real date, like 7 12 2026' }],
    [{ day: '1', month: '1', year: '27' }, { error: 'The end date must be a real date, like 7 12 2026' }],
    [{ day: '6', month: '12', year: '2026' }, { error: 'The end date must be today or in the future' }],
  ])('%j', (parts, expected) => {
    expect(readDateParts(parts, { name: 'end date', notBefore: TODAY }, TODAY)).toEqual(expected);
  });

  it('reads a leap day in a leap year and keeps later-than limits', () => {
    expect(readDateParts({ day: '29', month: '2', year: '2028' }, { name: 'date' }, TODAY)).toEqual({
      value: '2028-02-29',
    });
    expect(
      readDateParts({ day: '1', month: '1', year: '2030' }, { name: 'date', notAfter: '2029-12-31' }, TODAY),
    ).toEqual({ error: 'The date must be on or before 31/12/2029' });
  });

  it('round-trips dateParts', () => {
    expect(readDateParts(dateParts('2027-01-05'), { name: 'date' }, TODAY)).toEqual({ value: '2027-01-05' });
  });
});
