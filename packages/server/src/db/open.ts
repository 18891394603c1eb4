import type { Config } from '../config/config.ts';
import type { Database } from './database.ts';
import { openPglite } from './pglite.ts';
import { openPostgres } from './postgres.ts';
import { migrate } from './migrate.ts';

/** Opens the configured database and brings its schema up to date. */
export async function openDatabase(config: Config['database']): Promise<Database> {
  const db =
    config.kind === 'postgres'
      ? await openPostgres(config.url, config.poolSize, { statementTimeoutMs: config.statementTimeoutMs })
      : await openPglite(config.dataDir);
  await migrate(db);
  return db;
}
