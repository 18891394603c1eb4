/**
 * The risk list's filters as they live in the address (`?band=very-high&rising=true&page=2`), so a
 * view can be bookmarked, shared and reloaded. Values the server would refuse are dropped here
 * rather than sent, so a mistyped address shows the whole list instead of an error.
 */
export const BANDS = ['very-high', 'high', 'moderate', 'low'] as const;
export const FRAILTY = ['fit', 'mild', 'moderate', 'severe'] as const;
/** The server's condition keys (population-health/vocabulary.ts) with the words the list uses. */
export const CONDITIONS = [
  ['hypertension', 'High blood pressure'],
  ['diabetes', 'Type 2 diabetes'],
  ['copd', 'COPD'],
  ['asthma', 'Asthma'],
  ['atrial-fibrillation', 'Atrial fibrillation'],
  ['heart-failure', 'Heart failure'],
  ['ckd', 'Chronic kidney disease'],
  ['stroke', 'Stroke or TIA'],
  ['dementia', 'Dementia'],
  ['depression', 'Depression'],
  ['cancer', 'Cancer'],
] as const;

export type BandFilter = (typeof BANDS)[number];
export type FrailtyFilter = (typeof FRAILTY)[number];

export interface ListFilter {
  band?: BandFilter;
  condition?: string;
  minAge?: number;
  maxAge?: number;
  frailty?: FrailtyFilter;
  rising?: boolean;
  page: number;
}

const CONDITION_KEYS: readonly string[] = CONDITIONS.map(([key]) => key);

function oneOf<T extends string>(values: readonly T[], value: string | null): T | undefined {
  return values.includes(value as T) ? (value as T) : undefined;
}

function age(value: string | null): number | undefined {
  if (!value || !/^\d{1,3}$/.test(value.trim())) {
    return undefined;
  }
  const n = Number(value);
  return n <= 130 ? n : undefined;
}

/** The filter an address asks for; unknown or out-of-range values are left out. */
export function parseFilter(params: URLSearchParams): ListFilter {
  let minAge = age(params.get('minAge'));
  let maxAge = age(params.get('maxAge'));
  if (minAge !== undefined && maxAge !== undefined && minAge > maxAge) {
    // "From 80 to 65" means the range between them.
    [minAge, maxAge] = [maxAge, minAge];
  }
  const page = Number(params.get('page'));
  const filter: ListFilter = { page: Number.isInteger(page) && page >= 1 && page <= 10_000 ? page : 1 };
  const band = oneOf(BANDS, params.get('band'));
  const condition = oneOf(CONDITION_KEYS, params.get('condition'));
  const frailty = oneOf(FRAILTY, params.get('frailty'));
  if (band) {
    filter.band = band;
  }
  if (condition) {
    filter.condition = condition;
  }
  if (minAge !== undefined) {
    filter.minAge = minAge;
  }
  if (maxAge !== undefined) {
    filter.maxAge = maxAge;
  }
  if (frailty) {
    filter.frailty = frailty;
  }
  if (params.get('rising') === 'true') {
    filter.rising = true;
  }
  return filter;
}

/** The query string of a filter, in the server's names; page 1 and empty values are left out. */
export function filterQuery(filter: ListFilter): URLSearchParams {
  const params = new URLSearchParams();
  if (filter.band) {
    params.set('band', filter.band);
  }
  if (filter.condition) {
    params.set('condition', filter.condition);
  }
  if (filter.minAge !== undefined) {
    params.set('minAge', String(filter.minAge));
  }
  if (filter.maxAge !== undefined) {
    params.set('maxAge', String(filter.maxAge));
  }
  if (filter.frailty) {
    params.set('frailty', filter.frailty);
  }
  if (filter.rising) {
    params.set('rising', 'true');
  }
  if (filter.page > 1) {
    params.set('page', String(filter.page));
  }
  return params;
}

/** Whether anything narrows the list (to say "no one matches these filters" rather than "no one"). */
export const isFiltered = (filter: ListFilter): boolean => [...filterQuery({ ...filter, page: 1 }).keys()].length > 0;
