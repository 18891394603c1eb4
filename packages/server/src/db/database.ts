import type { PGlite } from '@electric-sql/pglite';
import type pg from 'pg';

/**
 * The one database interface the platform uses. PGlite (embedded) and PostgreSQL both speak the
 * same SQL dialect, so repositories are written once against this.
 */
export type SqlParam = string | number | boolean | null | Date | readonly string[] | readonly number[] | object;

export interface QueryOptions {
  /**
   * PostgreSQL: run as a named prepared statement whose plan the connection may keep and reuse
   * (default true). Pass false for SQL whose best plan depends on its values — a search across
   * the population, where a common code wants a different plan from a rare one. PGlite ignores it.
   */
  reusePlan?: boolean;
}

export interface Queryable {
  query<T = Record<string, unknown>>(sql: string, params?: readonly SqlParam[], options?: QueryOptions): Promise<T[]>;
  /** Runs several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

/** The driver underneath, for a library that issues its own SQL (the job queue, src/jobs/). */
export type NativeDriver = { kind: 'pglite'; pglite: PGlite } | { kind: 'postgres'; pool: pg.Pool };

export interface Database extends Queryable {
  readonly kind: 'pglite' | 'postgres';
  readonly native: NativeDriver;
  /** Runs `work` in one transaction; rolls back if it throws. */
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
