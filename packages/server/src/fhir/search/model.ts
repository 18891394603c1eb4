/** A parsed FHIR search, independent of HTTP and SQL. */
export interface SearchRequest {
  resourceType: string;
  filters: SearchFilter[];
  sort: SortRule[];
  count: number;
  cursor?: string;
  include: IncludeRule[];
  revinclude: IncludeRule[];
  summary?: 'true' | 'text' | 'data' | 'count' | 'false';
  elements?: string[];
  total?: 'none' | 'estimate' | 'accurate';
  /** Parameters the server did not understand and ignored (lenient handling). */
  ignored: { name: string; reason: string }[];
}

/** One search parameter occurrence: its comma-separated values are ORed, filters are ANDed. */
export interface SearchFilter {
  /** Name as defined by the SearchParameter, or `_id` / `_lastUpdated`. */
  name: string;
  modifier?: string;
  values: string[];
  /** `subject:Patient.name=x`: the remaining chain, evaluated on the referenced type. */
  chain?: { targetType?: string; filter: SearchFilter };
  /** Alternatives, any of which may match (a chain into several possible target types). */
  anyOf?: SearchFilter[];
  /** `_has:Observation:patient:code=x`. */
  has?: { sourceType: string; referenceParam: string; filter: SearchFilter };
}

export interface SortRule {
  name: string;
  descending: boolean;
}

export interface IncludeRule {
  sourceType: string;
  /** `*` for every reference parameter. */
  param: string;
  targetType?: string;
  iterate: boolean;
}

export const RESULT_PARAMS = new Set([
  '_count',
  '_sort',
  '_include',
  '_revinclude',
  '_summary',
  '_elements',
  '_total',
  '_cursor',
  '_format',
  '_pretty',
  '_contained',
  '_containedType',
]);
