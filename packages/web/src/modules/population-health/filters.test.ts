import { describe, expect, it } from 'vitest';
import { filterQuery, isFiltered, parseFilter } from './filters.ts';

const parse = (query: string) => parseFilter(new URLSearchParams(query));

describe('risk list filters in the address', () => {
  it.each([
    ['', { page: 1 }],
    ['band=very-high', { band: 'very-high', page: 1 }],
    ['band=extreme', { page: 1 }],
    ['condition=copd&frailty=severe', { condition: 'copd', frailty: 'severe', page: 1 }],
    ['condition=gout&frailty=very', { page: 1 }],
    ['minAge=65&maxAge=80', { minAge: 65, maxAge: 80, page: 1 }],
    ['minAge=80&maxAge=65', { minAge: 65, maxAge: 80, page: 1 }],
    ['minAge=-3&maxAge=200', { page: 1 }],
    ['minAge=sixty', { page: 1 }],
    ['rising=true', { rising: true, page: 1 }],
    ['rising=yes', { page: 1 }],
    ['page=3', { page: 3 }],
    ['page=0', { page: 1 }],
    ['page=2.5', { page: 1 }],
  ])('%s', (query, filter) => {
    expect(parse(query)).toEqual(filter);
  });

  it('round-trips in the server’s names, leaving out page 1 and empty values', () => {
    const query = 'band=high&condition=heart-failure&minAge=75&maxAge=90&frailty=moderate&rising=true&page=2';
    expect(filterQuery(parse(query)).toString()).toBe(query);
    expect(filterQuery({ page: 1 }).toString()).toBe('');
  });

  it('says whether anything narrows the list (the page does not)', () => {
    expect(isFiltered(parse('page=4'))).toBe(false);
    expect(isFiltered(parse('rising=true'))).toBe(true);
  });
});
