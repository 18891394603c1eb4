import type { SearchRequest } from './model.ts';

/** Parameters that pin a search to a few rows whatever their value (a patient, an id, an identifier). */
const SELECTIVE = new Set(['_id', 'patient', 'subject', 'identifier', 'encounter']);

/**
 * Whether one plan suits every value of this search, so that PostgreSQL may cache it (see
 * QueryOptions.reusePlan): true when a plain filter on a selective parameter narrows it — the
 * patient-scoped searches a clinician's screens make. A search across the population is planned
 * for its values each time: a generic plan for `Observation?code=` was measured 10× slower for a
 * common code than the plan made for that code (docs/PERFORMANCE.md).
 */
export function planIsReusable(request: SearchRequest): boolean {
  return request.filters.some(
    (filter) =>
      SELECTIVE.has(filter.name) &&
      filter.modifier === undefined &&
      !filter.chain &&
      !filter.has &&
      !filter.anyOf &&
      filter.values.length > 0 &&
      filter.values.every((value) => value !== ''),
  );
}
