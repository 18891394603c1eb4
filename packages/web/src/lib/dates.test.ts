import { describe, expect, it } from 'vitest';
import { ageOn, describeAge, formatDate, formatDateTime, untilWhen } from './dates.ts';

describe('dates', () => {
  it('formats in the NHS style', () => {
    expect(formatDate('2024-03-03')).toBe('3 March 2024');
    expect(formatDate('1950')).toBe('1950');
    expect(formatDate(undefined)).toBe('Date not recorded');
    expect(formatDateTime('2026-11-02T08:30:00Z')).toBe('2 November 2026 at 08:30');
    expect(formatDateTime('2026-07-02T07:30:00Z')).toBe('2 July 2026 at 08:30');
  });

  it('works out ages', () => {
    expect(ageOn('1950-06-15', new Date('2026-06-14T12:00:00'))).toBe(75);
    expect(ageOn('1950-06-15', new Date('2026-06-15T12:00:00'))).toBe(76);
    expect(describeAge('2025-05-01', new Date('2026-11-01T12:00:00'))).toBe('18 months old');
  });

  it('says until when, in England, with the day unless it is today', () => {
    const now = new Date('2026-07-02T09:00:00Z');
    expect(untilWhen('2026-07-02T13:32:00Z', now)).toBe('14:32 today');
    expect(untilWhen('2026-07-02T23:30:00Z', now)).toBe('00:30 tomorrow');
    expect(untilWhen('2026-07-03T08:00:00Z', now)).toBe('09:00 tomorrow');
    expect(untilWhen('2026-07-05T08:00:00Z', now)).toBe('09:00 on 5 July 2026');
    expect(untilWhen('2026-12-31T23:30:00Z', new Date('2026-12-31T10:00:00Z'))).toBe('23:30 today');
  });
});
