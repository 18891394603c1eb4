import { describe, expect, it } from 'vitest';
import { longDate } from './api.ts';

describe('longDate', () => {
  it.each([
    ['2027-03-01', '1 March 2027'],
    [undefined, '—'],
  ])('%s → %s', (date, text) => {
    expect(longDate(date)).toBe(text);
  });

  it('shows a meeting’s time in UK time (BST in summer)', () => {
    expect(longDate('2026-07-01T09:00:00Z')).toBe('1 July 2026 at 10:00');
  });
});
