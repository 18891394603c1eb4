import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { inject } from 'vitest';
import pg from 'pg';
import type { Database } from '../db/database.ts';
import { migrate } from '../db/migrate.ts';
import { openPglite } from '../db/pglite.ts';
import { distributeByPatient } from '../db/distributed.ts';
import { openPostgres } from '../db/postgres.ts';
import { enableCitus, nodeUrls, onNode } from '../db/testing/citus-cluster.ts';

export type TestDatabaseKind = 'pglite' | 'postgres';

/** The run's migrated databases to start each test file's from (src/testing/global-setup.ts). */
export interface MigratedTemplates {
  /** A PGlite data directory dump (`dumpDataDir`), migrated. */
  pgliteDump?: string;
  /** A migrated PostgreSQL database to `create database … template` from. */
  postgresTemplate?: string;
  /**
   * The coordinator of the run's Citus cluster (the `citus` project): each file's database is made
   * on it, migrated, and its FHIR store distributed by patient (src/db/distributed.ts).
   */
  citusCoordinatorUrl?: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    careweaveTemplates: MigratedTemplates;
  }
}

/** The templates vitest's global set-up made for this run; none outside a vitest run (scripts, benches). */
function migratedTemplates(): MigratedTemplates {
  try {
    return inject('careweaveTemplates');
  } catch {
    return {};
  }
}

export function testDatabaseKind(): TestDatabaseKind {
  return process.env.CAREWEAVE_TEST_DATABASE === 'postgres' ? 'postgres' : 'pglite';
}

/** Server used by PostgreSQL test runs; each test file gets a database of its own on it. */
export const TEST_POSTGRES_URL =
  process.env.CAREWEAVE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  db: Database;
  /** Connection URL, for PostgreSQL (so a second process can share the database). */
  url?: string;
  dispose(): Promise<void>;
}

/**
 * A fresh, empty database of the kind this test run is for, migrated to the current schema
 * (`migrated: false`: no schema at all, for tests of a migration itself). `statementTimeoutMs`
 * sets PostgreSQL's statement timeout on its connections (PGlite has none).
 */
export async function createTestDatabase(
  kind: TestDatabaseKind = testDatabaseKind(),
  options: { migrated?: boolean; statementTimeoutMs?: number } = {},
): Promise<TestDatabase> {
  const migrated = options.migrated ?? true;
  const template = migrated ? migratedTemplates() : {};
  if (kind === 'pglite') {
    const dump = template.pgliteDump ? new Blob([fs.readFileSync(template.pgliteDump)]) : undefined;
    const db = await openPglite(undefined, undefined, { loadDataDir: dump });
    if (migrated) {
      // Nothing to do when it came from the run's template; a safety net if that is ever behind.
      await migrate(db);
    }
    return { db, dispose: () => db.close() };
  }
  const name = `careweave_test_${randomBytes(6).toString('hex')}`;
  const citus = migratedTemplates().citusCoordinatorUrl;
  if (citus) {
    return createCitusDatabase(citus, name, options);
  }
  const admin = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await admin.connect();
  await admin.query(
    template.postgresTemplate
      ? `create database ${name} template ${template.postgresTemplate}`
      : `create database ${name}`,
  );
  await admin.end();
  const url = TEST_POSTGRES_URL.replace(/\/[^/]*$/, `/${name}`);
  const db = await openPostgres(url, 8, { statementTimeoutMs: options.statementTimeoutMs });
  if (migrated) {
    await migrate(db);
  }
  return {
    db,
    url,
    async dispose() {
      await db.close();
      const cleanup = new pg.Client({ connectionString: TEST_POSTGRES_URL });
      await cleanup.connect();
      await cleanup.query(`drop database if exists ${name} with (force)`);
      await cleanup.end();
    },
  };
}

/** A database of its own on the run's Citus cluster, migrated and distributed unless `migrated: false`. */
async function createCitusDatabase(
  coordinatorUrl: string,
  name: string,
  options: { migrated?: boolean; statementTimeoutMs?: number },
): Promise<TestDatabase> {
  // The cluster's nodes run with citus.enable_create_database_propagation: this makes it everywhere.
  await onNode(coordinatorUrl, `create database ${name}`);
  await enableCitus(await nodeUrls(coordinatorUrl, name));
  const url = coordinatorUrl.replace(/\/[^/]*$/, `/${name}`);
  if (options.migrated ?? true) {
    const setup = await openPostgres(url, 2);
    await migrate(setup);
    await distributeByPatient(setup, { shardCount: 4 });
    await setup.close();
  }
  const db = await openPostgres(url, 8, { statementTimeoutMs: options.statementTimeoutMs });
  return {
    db,
    url,
    async dispose() {
      await db.close();
      // Citus's own connections to the workers can outlive the pool by a moment.
      for (let attempt = 1; ; attempt++) {
        try {
          await onNode(coordinatorUrl, `drop database if exists ${name} with (force)`);
          return;
        } catch (error) {
          // 3D000: an earlier attempt dropped it after all.
          if ((error as { code?: string }).code === '3D000') {
            return;
          }
          if (attempt === 5) {
            throw error;
          }
          await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
        }
      }
    },
  };
}
