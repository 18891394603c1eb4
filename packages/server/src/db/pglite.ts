import { PGlite } from '@electric-sql/pglite';
import { acquireDataDirLock, type LockHolder } from './data-dir-lock.ts';
import { runAfterCommit, type Database, type Queryable, type SqlParam } from './database.ts';

/** `committed`: the transaction's after-commit callbacks (none: not in a transaction, run at once). */
function wrap(pg: Pick<PGlite, 'query' | 'exec'>, committed?: (() => void)[]): Queryable {
  return {
    async query<T>(sql: string, params: readonly SqlParam[] = []): Promise<T[]> {
      const result = await pg.query<T>(sql, params as unknown[]);
      return result.rows;
    },
    async exec(sql: string): Promise<void> {
      await pg.exec(sql);
    },
    // In process there is no round trip to save: a queued statement runs at once.
    async queue(sql: string, params: readonly SqlParam[] = []): Promise<void> {
      await pg.query(sql, params as unknown[]);
    },
    // Queued statements ran at once: nothing is ever left to send.
    async flush(): Promise<void> {},
    afterCommit(callback: () => void): void {
      if (committed) {
        committed.push(callback);
      } else {
        runAfterCommit([callback]);
      }
    },
  };
}

/**
 * Opens the embedded database; `dataDir` undefined means in memory (tests). The data folder is
 * locked while it is open (src/db/data-dir-lock.ts): `holder` says who has it, for the others.
 */
export async function openPglite(
  dataDir?: string,
  holder: LockHolder = { holder: 'database' },
  options: { loadDataDir?: Blob } = {},
): Promise<Database> {
  const release = dataDir ? acquireDataDirLock(dataDir, holder) : (): void => undefined;
  // json (114) stays text, as with PostgreSQL: the FHIR layer decides when to parse it.
  let pg: PGlite;
  try {
    pg = await PGlite.create({
      ...(dataDir ? { dataDir } : {}),
      // A dump of a database made earlier (tests start from a migrated one instead of running initdb).
      ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}),
      parsers: { 114: (value: string) => value },
    });
  } catch (error) {
    release();
    throw error;
  }
  const base = wrap(pg);
  return {
    kind: 'pglite',
    native: { kind: 'pglite', pglite: pg },
    ...base,
    // PGlite has a single connection and serialises transactions itself.
    async transaction(work) {
      const committed: (() => void)[] = [];
      const result = await pg.transaction((tx) => work(wrap(tx, committed)));
      runAfterCommit(committed);
      return result;
    },
    close: async () => {
      await pg.close();
      release();
    },
  };
}
