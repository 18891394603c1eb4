/**
 * The one database interface the platform uses. PGlite (embedded) and PostgreSQL both speak the
 * same SQL dialect, so repositories are written once against this.
 */
export type SqlParam = string | number | boolean | null | Date | readonly string[] | readonly number[] | object;

export interface Queryable {
  query<T = Record<string, unknown>>(sql: string, params?: readonly SqlParam[]): Promise<T[]>;
  /** Runs several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

export interface Database extends Queryable {
  readonly kind: 'pglite' | 'postgres';
  /** Runs `work` in one transaction; rolls back if it throws. */
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
