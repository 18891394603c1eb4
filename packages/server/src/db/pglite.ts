import { PGlite } from '@electric-sql/pglite';
import fs from 'node:fs';
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

/** Opens the embedded database; `dataDir` undefined means in memory (tests). */
export async function openPglite(dataDir?: string): Promise<Database> {
  if (dataDir) {
    fs.mkdirSync(dataDir, { recursive: true });
  }
  // json (114) stays text, as with PostgreSQL: the FHIR layer decides when to parse it.
  const pg = await PGlite.create({ ...(dataDir ? { dataDir } : {}), parsers: { 114: (value: string) => value } });
  const base = wrap(pg);
  return {
    kind: 'pglite',
    ...base,
    // PGlite has a single connection and serialises transactions itself.
    transaction: (work) => pg.transaction((tx) => work(wrap(tx))),
    close: () => pg.close(),
  };
}
