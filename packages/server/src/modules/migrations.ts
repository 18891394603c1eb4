import type { Database } from '../db/database.ts';
import type { CareModule } from './contract.ts';

// Not the core migrations' lock (db/migrate.ts): modules migrate after the core, in their own step.
const MODULE_MIGRATION_LOCK_KEY = 4_242_002;

/**
 * Applies each module's migrations `(module, version)` in order, each exactly once across every
 * instance on the database, in one transaction: a failing migration leaves no module half-migrated.
 * Returns what was applied, as `module:version`.
 */
export async function migrateModules(db: Database, modules: readonly CareModule[]): Promise<string[]> {
  const withMigrations = modules.filter((module) => module.migrations?.length);
  if (withMigrations.length === 0) {
    return [];
  }
  for (const module of withMigrations) {
    checkVersions(module);
  }
  const applied: string[] = [];
  await db.transaction(async (tx) => {
    if (db.kind === 'postgres') {
      await tx.exec('set local statement_timeout = 0');
    }
    await tx.query('select pg_advisory_xact_lock($1)', [MODULE_MIGRATION_LOCK_KEY]);
    await tx.exec(`create table if not exists module_migration (
      module text not null, version integer not null, name text not null,
      applied_at timestamptz not null default now(), primary key (module, version))`);
    const rows = await tx.query<{ module: string; version: number }>('select module, version from module_migration');
    const done = new Set(rows.map((row) => `${row.module}:${Number(row.version)}`));
    for (const module of withMigrations) {
      for (const migration of module.migrations ?? []) {
        const key = `${module.name}:${migration.version}`;
        if (done.has(key)) {
          continue;
        }
        await tx.exec(migration.sql);
        await tx.query('insert into module_migration (module, version, name) values ($1, $2, $3)', [
          module.name,
          migration.version,
          migration.name,
        ]);
        applied.push(key);
      }
    }
  });
  return applied;
}

function checkVersions(module: CareModule): void {
  (module.migrations ?? []).forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new Error(`Module '${module.name}': migration ${migration.name} must be version ${index + 1}`);
    }
  });
}
