import { describe, expect, it } from 'vitest';
import { parseFilter } from './api.ts';
import { count, monthText, percent } from './format.ts';

describe('referral analytics formatting', () => {
  it('writes shares, counts and months for people', () => {
    expect(percent(0.8345)).toBe('83.5%');
    expect(percent(null)).toBe('–');
    expect(count('<5')).toBe('fewer than 5');
    expect(count(1234)).toBe('1,234');
    expect(monthText('2026-03')).toBe('Mar 2026');
  });

  it('keeps only the filters the server accepts', () => {
    expect(parseFilter(new URLSearchParams('from=2026-01&to=2026-13&specialty=msk&practice=org-p1&x=1'))).toEqual({
      from: '2026-01',
      specialty: 'msk',
      practice: 'org-p1',
    });
    expect(parseFilter(new URLSearchParams('specialty=<script>'))).toEqual({});
  });
});
