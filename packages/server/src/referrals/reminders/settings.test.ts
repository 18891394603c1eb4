import { describe, expect, it } from 'vitest';
import { REMINDER_DAYS } from './settings.ts';

describe('CAREWEAVE_REFERRALS_REMINDER_DAYS', () => {
  it.each([
    [undefined, [7, 1]],
    ['7,1', [7, 1]],
    ['1, 7', [7, 1]],
    ['3', [3]],
    ['none', []],
    ['14,7,1', [14, 7, 1]],
  ])('reads %s as %j', (value, days) => {
    expect(REMINDER_DAYS.parse(value)).toEqual(days);
  });

  it.each(['0', '29', '7,7', '1.5', 'seven', '7,-1', '14,7,3,1', '7;1'])('refuses %s', (value) => {
    expect(REMINDER_DAYS.safeParse(value).success).toBe(false);
  });
});
