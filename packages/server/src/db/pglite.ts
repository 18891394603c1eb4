import { PGlite } from '@electric-sql/pglite';
import fs from 'node:fs';
import path from 'node:path';
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

export class DatabaseInUseError extends Error {}

/**
 * PGlite has no lock of its own, and two processes writing one data folder would corrupt it, so a
 * pid file claims the folder. A stale file (its process gone) is taken over.
 */
function claimDataDir(dataDir: string): () => void {
  const lockFile = path.join(dataDir, 'careweave.pid');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(lockFile, String(process.pid), { flag: 'wx' });
      return () => fs.rmSync(lockFile, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw error;
      }
      const holder = Number(fs.readFileSync(lockFile, 'utf8'));
      if (holder && holder !== process.pid && isAlive(holder)) {
        throw new DatabaseInUseError(
          `The embedded database in ${dataDir} is in use by process ${holder}. Stop that process ` +
            '(e.g. the running server) first, or use PostgreSQL (CAREWEAVE_DATABASE_URL).',
        );
      }
      fs.rmSync(lockFile, { force: true });
    }
  }
  throw new DatabaseInUseError(`Could not claim the embedded database in ${dataDir}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Opens the embedded database; `dataDir` undefined means in memory (tests). */
export async function openPglite(dataDir?: string): Promise<Database> {
  let release = (): void => undefined;
  if (dataDir) {
    fs.mkdirSync(dataDir, { recursive: true });
    release = claimDataDir(dataDir);
  }
  // json (114) stays text, as with PostgreSQL: the FHIR layer decides when to parse it.
  let pg: PGlite;
  try {
    pg = await PGlite.create({ ...(dataDir ? { dataDir } : {}), parsers: { 114: (value: string) => value } });
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
