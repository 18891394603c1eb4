import type { Config } from '../config/config.ts';
import type { LockHolder } from './data-dir-lock.ts';
import type { Database } from './database.ts';
import { openPglite } from './pglite.ts';
import { openPostgres } from './postgres.ts';
import { migrate } from './migrate.ts';

/**
 * Opens the configured database and brings its schema up to date. The embedded database's folder
 * is locked meanwhile in the name of `holder` (throws DataDirInUseError when another process has it).
 */
export async function openDatabase(config: Config['database'], holder?: LockHolder): Promise<Database> {
  const db =
    config.kind === 'postgres'
      ? await openPostgres(config.url, config.poolSize, { statementTimeoutMs: config.statementTimeoutMs })
      : await openPglite(config.dataDir, holder);
  await migrate(db);
  return db;
}
