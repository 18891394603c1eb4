import { readDateParts, type DateParts } from '../../lib/date-parts.ts';

/** The timeline's filters, kept in the page's address so they survive reload, Back and a shared link. */
export interface TimelineFilter {
  kind: string;
  org: string;
  /** yyyy-mm-dd, inclusive; '' for no limit. */
  from: string;
  to: string;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

export function timelineFilter(search: URLSearchParams): TimelineFilter {
  const day = (key: string): string => {
    const value = search.get(key) ?? '';
    return DAY.test(value) ? value : '';
  };
  return { kind: search.get('kind') ?? '', org: search.get('org') ?? '', from: day('from'), to: day('to') };
}

export function timelineSearch(filter: TimelineFilter): URLSearchParams {
  const search = new URLSearchParams();
  for (const key of ['kind', 'org', 'from', 'to'] as const) {
    if (filter[key]) {
      search.set(key, filter[key]);
    }
  }
  return search;
}

/** The date range typed into the two date inputs, or what is wrong with each (a "to" before "from" too). */
export function readRange(
  from: DateParts,
  to: DateParts,
): { from: string; to: string } | { errors: { from?: string; to?: string } } {
  const start = readDateParts(from, { name: 'from date' });
  const end = readDateParts(to, { name: 'to date' });
  const errors: { from?: string; to?: string } = {};
  if ('error' in start) {
    errors.from = start.error;
  }
  if ('error' in end) {
    errors.to = end.error;
  }
  if ('value' in start && 'value' in end && start.value && end.value && end.value < start.value) {
    errors.to = 'The to date must be the same as or after the from date';
  }
  if (errors.from || errors.to || !('value' in start) || !('value' in end)) {
    return { errors };
  }
  return { from: start.value, to: end.value };
}
