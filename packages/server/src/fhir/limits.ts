/**
 * Limits on the size and shape of what a client may send, so that no single request can make the
 * server do unbounded work (docs/FHIR.md, "Limits"). Refusals are OperationOutcomes, never 500s.
 */

/** Containers (objects and arrays) nested inside each other, in a request body or a resource. */
export const MAX_JSON_DEPTH = 64;

/**
 * JSON values (objects, arrays, strings, numbers, booleans, nulls) in one resource. A request body
 * has its own limit, CAREWEAVE_MAX_JSON_NODES (by default the same), since a Bundle holds many.
 */
export const MAX_RESOURCE_NODES = 100_000;

/** `name=value` pairs in one search (query string and `_search` form body together). */
export const MAX_SEARCH_PARAMETERS = 50;

/** Values of one search parameter, counting both commas (`name=a,b`) and repeats (`name=a&name=b`). */
export const MAX_SEARCH_VALUES = 100;

/** Characters of a request's target (path and query string); past it, 414 URI Too Long. */
export const MAX_URL_LENGTH = 8192;

/** Operations in one JSON Patch. */
export const MAX_PATCH_OPERATIONS = 1000;

/** JSON values in `value`, counting no further than `limit` (a cheap bound, not an exact size). */
export function countJsonValues(value: unknown, limit: number): number {
  let count = 0;
  const stack: unknown[] = [value];
  while (stack.length && count <= limit) {
    const next = stack.pop();
    count++;
    if (next && typeof next === 'object') {
      const children: unknown[] = Array.isArray(next) ? (next as unknown[]) : Object.values(next);
      stack.push(...children);
    }
  }
  return count;
}
