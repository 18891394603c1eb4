import { describe, expect, test } from 'vitest';
import { inQuietHours, isClockTime, londonDay, nextLondonTime, reachedToday } from './london-time.ts';

const night = { start: '22:00', end: '07:00' };

describe('Europe/London wall-clock times', () => {
  test.each([
    ['winter, 23:30 GMT is quiet', '2026-01-15T23:30:00Z', night, true],
    ['winter, 07:00 GMT is not', '2026-01-15T07:00:00Z', night, false],
    ['summer, 21:30 UTC is 22:30 BST: quiet', '2026-07-15T21:30:00Z', night, true],
    ['summer, 06:30 UTC is 07:30 BST: not quiet', '2026-07-15T06:30:00Z', night, false],
    ['a daytime window', '2026-01-15T13:00:00Z', { start: '12:00', end: '14:00' }, true],
    ['no quiet hours', '2026-01-15T23:30:00Z', null, false],
    ['start = end is none', '2026-01-15T23:30:00Z', { start: '22:00', end: '22:00' }, false],
  ])('%s', (_name, at, quiet, expected) => {
    expect(inQuietHours(new Date(at), quiet)).toBe(expected);
  });

  test.each([
    ['winter: 07:00 GMT the next morning', '2026-01-15T23:30:00Z', '07:00', '2026-01-16T07:00:00.000Z'],
    ['summer: 07:00 BST is 06:00 UTC', '2026-07-15T23:30:00Z', '07:00', '2026-07-16T06:00:00.000Z'],
    ['later the same day', '2026-01-15T05:00:00Z', '07:00', '2026-01-15T07:00:00.000Z'],
    // The clocks go forward at 01:00 GMT on 29 March 2026: 07:00 that morning is BST.
    ['across the spring change', '2026-03-28T23:00:00Z', '07:00', '2026-03-29T06:00:00.000Z'],
  ])('next London time: %s', (_name, at, clock, expected) => {
    expect(nextLondonTime(new Date(at), clock).toISOString()).toBe(expected);
  });

  test('the London day and whether a time has been reached', () => {
    expect(londonDay(new Date('2026-07-15T23:30:00Z'))).toBe('2026-07-16');
    expect(reachedToday(new Date('2026-07-15T07:00:00Z'), '08:00')).toBe(true);
    expect(reachedToday(new Date('2026-01-15T07:00:00Z'), '08:00')).toBe(false);
  });

  test.each(['08:00', '23:59', '00:00'])('%s is a clock time', (value) => expect(isClockTime(value)).toBe(true));
  test.each(['8:00', '24:00', '12:60', '', 7, null])('%s is not', (value) => expect(isClockTime(value)).toBe(false));
});
