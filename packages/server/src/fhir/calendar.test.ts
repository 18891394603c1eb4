import { describe, expect, test } from 'vitest';
import { daysInMonth, impossibleDay, isLeapYear, isTimestampText } from './calendar.ts';

describe('calendar', () => {
  test.each([
    [2024, true],
    [2023, false],
    [2000, true],
    [1900, false],
    [2100, false],
  ])('leap year %i: %s', (year, leap) => {
    expect(isLeapYear(year)).toBe(leap);
    expect(daysInMonth(year, 2)).toBe(leap ? 29 : 28);
  });

  test.each([
    ['2024-02-30', true],
    ['2023-02-29', true],
    ['1900-02-29', true],
    ['2024-04-31', true],
    ['2024-11-31T10:00:00Z', true],
    ['2024-02-29', false],
    ['2000-02-29T23:59:59.999+14:00', false],
    ['2024-12-31', false],
    ['2024-02', false],
    ['2024', false],
    // Not a day at all: left to the type's regular expression.
    ['2024-13-01', false],
    ['2024-00-10', false],
    ['yesterday', false],
  ])('%s names a day that does not exist: %s', (value, impossible) => {
    expect(impossibleDay(value) !== undefined).toBe(impossible);
  });

  test('says why', () => {
    expect(impossibleDay('2023-02-29')).toBe('2023-02-29 is not a calendar date: 2023-02 has 28 days');
  });

  test.each([
    ['1970-01-01 00:00:00+00', true],
    ['2024-02-29 10:11:12.123456+05:30', true],
    ['2024-02-29T10:11:12.5Z', true],
    ['1883-11-18 11:59:59-00:01:15', true],
    ['infinity', true],
    ['-infinity', true],
    ['0044-03-15 12:00:00+00 BC', true],
    ['2024-02-30 00:00:00+00', false],
    ['0000-01-01 00:00:00+00', false],
    ['2024-01-01 24:00:00+00', false],
    ['2024-01-01', false],
    ['not-a-date', false],
    ["2024-01-01 00:00:00+00'; drop table resource; --", false],
  ])('%s casts to timestamptz: %s', (value, castable) => {
    expect(isTimestampText(value)).toBe(castable);
  });
});
