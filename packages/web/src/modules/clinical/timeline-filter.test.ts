import { describe, expect, it } from 'vitest';
import { readRange, timelineFilter, timelineSearch } from './timeline-filter.ts';

const parts = (day: string, month: string, year: string) => ({ day, month, year });

describe('timeline filters in the address', () => {
  it('round-trips through the address, ignoring malformed dates', () => {
    const filter = { kind: 'Test result', org: 'org-1', from: '2026-01-01', to: '2026-06-30' };
    expect(timelineFilter(timelineSearch(filter))).toEqual(filter);
    expect(timelineFilter(new URLSearchParams('from=yesterday&to=2026-13'))).toEqual({
      kind: '',
      org: '',
      from: '',
      to: '',
    });
  });
});

describe('readRange', () => {
  it('reads an open or closed range', () => {
    expect(readRange(parts('1', '1', '2026'), parts('', '', ''))).toEqual({ from: '2026-01-01', to: '' });
    expect(readRange(parts('1', '1', '2026'), parts('30', '6', '2026'))).toEqual({
      from: '2026-01-01',
      to: '2026-06-30',
    });
  });

  it('catches a "to" before "from", and each impossible date', () => {
    expect(readRange(parts('30', '6', '2026'), parts('1', '1', '2026'))).toEqual({
      errors: { to: 'The to date must be the same as or after the from date' },
    });
    expect(readRange(parts('31', '2', '2026'), parts('', '3', ''))).toEqual({
      errors: {
        from: expect.stringMatching(/^The from date must be a real date/),
        to: 'The to date must include a day and year',
      },
    });
  });
});
