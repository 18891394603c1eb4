import type { Queryable } from '../../db/database.ts';
import type { RowRestriction } from '../search/execute.ts';
import { SqlParams } from '../search/sql-params.ts';

/** Which resources an export covers, before the caller's access restriction. */
export type ExportScope =
  | { level: 'system' }
  /** Resources in any patient's compartment (and the Patients themselves). */
  | { level: 'patient' }
  /** Resources in these patients' compartments (and these Patients). */
  | { level: 'group'; patients: readonly string[] };

export interface ExportSelection {
  scope: ExportScope;
  since?: Date;
  restrict?: RowRestriction;
  /** The type's `_typeFilter` condition (src/fhir/bulk/type-filter.ts), when it has one. */
  filter?: (alias: string, params: SqlParams) => string;
}

export interface ExportRow {
  id: string;
  patientId: string | null;
  /** The stored JSON text (the client's, possibly over several lines). */
  content: string;
}

function scopeCondition(scope: ExportScope, params: SqlParams): string {
  switch (scope.level) {
    case 'system':
      return 'true';
    case 'patient':
      // Every patient's compartment: their records, and the cohorts (Groups) they are members of,
      // which belong to no one patient (docs/ACCESS.md) and which the restriction still decides.
      return `(r.patient_id is not null or r.category = 'cohort')`;
    case 'group': {
      const patients = `${params.add(scope.patients)}::text[]`;
      return `(r.compartments && ${patients} or (r.resource_type = 'Patient' and r.id = any(${patients})))`;
    }
  }
}

/** The SQL conditions every exported row meets, on `current_resource r`. */
function conditions(selection: ExportSelection, params: SqlParams): string[] {
  const where = ['not r.deleted', scopeCondition(selection.scope, params)];
  if (selection.since) {
    where.push(`r.last_updated > ${params.add(selection.since.toISOString())}::timestamptz`);
  }
  if (selection.restrict) {
    where.push(selection.restrict('r', params));
  }
  if (selection.filter) {
    where.push(selection.filter('r', params));
  }
  return where;
}

/** The resources of a bulk export, read a page at a time in id order (keyset: never OFFSET). */
export class ExportRepository {
  private readonly db: Queryable;

  constructor(db: Queryable) {
    this.db = db;
  }

  /**
   * The resource types that have rows in scope, ignoring `since` and the restriction (cheap to ask;
   * a type left with nothing visible just yields no file).
   */
  async typesInScope(scope: ExportScope): Promise<string[]> {
    const params = new SqlParams();
    const rows = await this.db.query<{ resource_type: string }>(
      `select distinct r.resource_type from resource r where ${conditions({ scope }, params).join(' and ')}`,
      params.values as never,
    );
    return rows.map((row) => row.resource_type);
  }

  /** Up to `limit` resources of a type with ids after `after` (collation "C", the index's order). */
  async page(
    resourceType: string,
    selection: ExportSelection,
    after: string | undefined,
    limit: number,
  ): Promise<ExportRow[]> {
    const params = new SqlParams();
    const where = [`r.resource_type = ${params.add(resourceType)}`, ...conditions(selection, params)];
    if (after !== undefined) {
      where.push(`(r.id collate "C") > ${params.add(after)}`);
    }
    const rows = await this.db.query<{ id: string; patient_id: string | null; content: string }>(
      `select r.id, r.patient_id, r.content from current_resource r
        where ${where.join(' and ')}
        order by r.id collate "C" limit ${params.add(limit)}`,
      params.values as never,
    );
    return rows.map((row) => ({ id: row.id, patientId: row.patient_id, content: row.content }));
  }
}
