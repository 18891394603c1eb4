import { describe, expect, it } from 'vitest';
import { describeWhen } from './when.ts';

describe('describeWhen', () => {
  // 6 December 2026 is winter (GMT); 1 July 2026 is summer time (BST, UTC+1).
  it.each([
    ['2026-12-06T14:05:00Z', '2026-12-06T18:00:00Z', 'Today 14:05'],
    ['2026-12-05T09:30:00Z', '2026-12-06T08:00:00Z', 'Yesterday 09:30'],
    ['2026-12-01T09:30:00Z', '2026-12-06T08:00:00Z', '1 December 2026 09:30'],
    ['2026-07-01T13:05:00Z', '2026-07-01T20:00:00Z', 'Today 14:05'],
    // 23:30 UTC on 30 June is 00:30 on 1 July in London.
    ['2026-06-30T23:30:00Z', '2026-07-01T10:00:00Z', 'Today 00:30'],
  ])('%s seen at %s is "%s"', (sentAt, now, expected) => {
    expect(describeWhen(sentAt, new Date(now))).toBe(expected);
  });
});
