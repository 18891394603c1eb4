import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { migrate } from '../db/migrate.ts';
import { citusInstalled, startCitusCluster } from '../db/testing/citus-cluster.ts';
import { openPglite } from '../db/pglite.ts';
import { openPostgres } from '../db/postgres.ts';
import { TEST_POSTGRES_URL, type MigratedTemplates } from './database.ts';

/**
 * Once per test run and project: a database migrated to the current schema, which every test file's
 * fresh database then starts from (`createTestDatabase`). On PGlite that saves `initdb` and the
 * migrations per file (most of a file's set-up on two cores); on PostgreSQL, the migrations
 * (`create database … template`). Both are made from this checkout's migrations at the start of the
 * run, so they are never stale, and removed when it ends.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const templates: MigratedTemplates = {};
  let cleanup = (): Promise<void> => Promise.resolve();
  if (project.name === 'pglite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'careweave-test-template-'));
    const db = await openPglite();
    await migrate(db);
    const dump = await (db.native as { pglite: PGlite }).pglite.dumpDataDir('none');
    await db.close();
    templates.pgliteDump = path.join(dir, 'migrated.tar');
    fs.writeFileSync(templates.pgliteDump, Buffer.from(await dump.arrayBuffer()));
    cleanup = () => fs.promises.rm(dir, { recursive: true, force: true });
  } else if (project.name === 'postgres') {
    const name = `careweave_test_template_${randomBytes(6).toString('hex')}`;
    await adminQuery(`create database ${name}`);
    const db = await openPostgres(TEST_POSTGRES_URL.replace(/\/[^/]*$/, `/${name}`), 2);
    await migrate(db);
    await db.close();
    templates.postgresTemplate = name;
    cleanup = () => adminQuery(`drop database if exists ${name} with (force)`);
  } else if (project.name === 'citus' && process.env.CAREWEAVE_TEST_CITUS_URL) {
    // A cluster of the developer's own (e.g. ../shared/tools/citus/local-cluster.sh up), kept between runs.
    templates.citusCoordinatorUrl = process.env.CAREWEAVE_TEST_CITUS_URL;
  } else if (project.name === 'citus') {
    if (!citusInstalled()) {
      throw new Error(
        'The citus test project needs the Citus extension installed for PostgreSQL 15 (scripts/install-citus.sh; .ci/run does it).',
      );
    }
    const cluster = await startCitusCluster();
    templates.citusCoordinatorUrl = cluster.coordinatorUrl;
    cleanup = () => Promise.resolve(cluster.close());
  }
  project.provide('careweaveTemplates', templates);
  return cleanup;
}

async function adminQuery(sql: string): Promise<void> {
  const admin = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await admin.connect();
  try {
    await admin.query(sql);
  } finally {
    await admin.end();
  }
}
