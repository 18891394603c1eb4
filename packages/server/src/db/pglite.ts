import { PGlite } from '@electric-sql/pglite';
import { acquireDataDirLock, type LockHolder } from './data-dir-lock.ts';
import type { Database, Queryable, SqlParam } from './database.ts';

function wrap(pg: Pick<PGlite, 'query' | 'exec'>): Queryable {
  return {
    async query<T>(sql: string, params: readonly SqlParam[] = []): Promise<T[]> {
      const result = await pg.query<T>(sql, params as unknown[]);
      return result.rows;
    },
    async exec(sql: string): Promise<void> {
      await pg.exec(sql);
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
    transaction: (work) => pg.transaction((tx) => work(wrap(tx))),
    close: async () => {
      await pg.close();
      release();
    },
  };
}
