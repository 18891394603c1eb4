import type { SqlParams } from './sql-params.ts';

/**
 * Extra SQL every query must satisfy, e.g. the access policy's "this caller may see this row".
 * Given the alias of a `resource` row, returns a condition; parameters go through `params`.
 */
export type RowRestriction = (alias: string, params: SqlParams, hint?: RestrictionHint) => string;

/**
 * What the caller of a restriction knows about the rows: `patient` is a SQL expression equal to
 * every row's `patient_id` (the patient of `$everything`), so the per-patient facts (relationship,
 * consent rules, break-glass) can be looked up once instead of per row.
 */
export interface RestrictionHint {
  patient?: string;
}

/** Where a filter's SQL is being built: the row it filters, its parameters, and the caller's restriction. */
export interface FilterScope {
  /** Alias of the `resource` row being filtered. */
  alias: string;
  resourceType: string;
  fhirBase: string;
  params: SqlParams;
  depth: number;
  /**
   * The caller's access restriction. Chains and `_has` join other resources; each joined row must
   * pass it too, or a filter would answer yes/no questions about records the caller may not see.
   */
  restrict?: RowRestriction;
  /** The store is sharded by patient (src/db/distributed.ts): index rows are joined on `shard_key` too. */
  distributed?: boolean;
}
