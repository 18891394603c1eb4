import { isKnownResourceType } from '../definitions.ts';
import { badRequest } from '../outcome.ts';
import { parameterPath } from '../operations/parameters.ts';
import type { RowRestriction } from '../search/execute.ts';
import { filterToSql } from '../search/filters.ts';
import { RESULT_PARAMS, type SearchFilter } from '../search/model.ts';
import { parseSearch } from '../search/parse.ts';
import type { SqlParams } from '../search/sql-params.ts';

/**
 * Bulk Data `_typeFilter` (Bulk Data Access IG, *Query Parameters*): each value is a FHIR search,
 * `Type?name=value&…`, that narrows the export of that type. Several for one type are ORed; a type
 * with none is exported whole; a filter for a type the export does not include (`_type`) has no
 * effect. The searches are this server's own (chains, `_has`, modifiers), compiled to the same SQL
 * and under the same access restriction as a search by the caller — a filter never reveals, by
 * what it lets through, anything the caller could not search for.
 */
export interface TypeFilter {
  resourceType: string;
  filters: SearchFilter[];
}

const PATH = parameterPath('_typeFilter');

/** Parses and checks one `_typeFilter` value (already URL-decoded once, as query parameters are). */
export function parseTypeFilter(value: string): TypeFilter {
  const mark = value.indexOf('?');
  const resourceType = (mark < 0 ? value : value.slice(0, mark)).trim();
  if (!isKnownResourceType(resourceType)) {
    return badRequest(`_typeFilter '${value}': give a FHIR R4 resource type and a search, e.g. Observation?code=…`, [
      PATH,
    ]);
  }
  const query = mark < 0 ? '' : value.slice(mark + 1);
  const pairs = [...new URLSearchParams(query)] as [string, string][];
  if (!pairs.length) {
    return badRequest(`_typeFilter '${value}' has no search parameters`, [PATH]);
  }
  const resultParams = pairs.map(([name]) => name).filter((name) => RESULT_PARAMS.has(name.split(':')[0]!));
  if (resultParams.length) {
    return badRequest(
      `_typeFilter '${value}': only search parameters narrow an export; ${resultParams.join(', ')} cannot be used here`,
      [PATH],
    );
  }
  // Strict: a mistyped parameter must not silently export everything of that type.
  const request = parseSearch(resourceType, pairs, { defaultCount: 1, maxCount: 1, strict: true });
  return { resourceType, filters: request.filters };
}

/**
 * The types a filter searches: its own, and each `_has` type (as a search with `_has` needs search
 * permission on that type, src/auth/scopes.ts).
 */
export function typesSearchedBy(value: string): string[] {
  const { resourceType } = parseTypeFilter(value);
  const query = value.slice(value.indexOf('?') + 1);
  const hasTypes = [...new URLSearchParams(query).keys()]
    .filter((name) => name.startsWith('_has:'))
    .map((name) => name.split(':')[1] ?? '');
  return [resourceType, ...hasTypes.filter(isKnownResourceType)];
}

/** Checks every `_typeFilter` value of a kick-off request (400 at once for a bad one); the job keeps them as given. */
export function checkTypeFilters(values: readonly string[]): string[] {
  for (const value of values) {
    parseTypeFilter(value);
  }
  return [...values];
}

/** The filters for each type, ORed per type. */
export function filtersByType(values: readonly string[]): Map<string, TypeFilter[]> {
  const byType = new Map<string, TypeFilter[]>();
  for (const value of values) {
    const filter = parseTypeFilter(value);
    byType.set(filter.resourceType, [...(byType.get(filter.resourceType) ?? []), filter]);
  }
  return byType;
}

/**
 * The SQL condition on `alias` for one type's filters: any of them (each the AND of its parameters),
 * with chains and `_has` joining only rows the caller may see.
 */
export function typeFilterCondition(
  filters: readonly TypeFilter[],
  scope: { alias: string; params: SqlParams; fhirBase: string; restrict?: RowRestriction; distributed?: boolean },
): string {
  const alternatives = filters.map((filter) => {
    const parts = filter.filters.map((f) =>
      filterToSql(f, {
        alias: scope.alias,
        resourceType: filter.resourceType,
        fhirBase: scope.fhirBase,
        params: scope.params,
        depth: 0,
        ...(scope.restrict ? { restrict: scope.restrict } : {}),
        distributed: scope.distributed,
      }),
    );
    return `(${parts.join(' and ')})`;
  });
  return `(${alternatives.join(' or ')})`;
}
