import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { Config } from '../config/config.ts';
import { distributeByPatient } from '../db/distributed.ts';
import { migrate } from '../db/migrate.ts';
import { openPostgres } from '../db/postgres.ts';
import { enableCitus, nodeUrls } from '../db/testing/citus-cluster.ts';

export type BenchDatabaseKind = 'pglite' | 'postgres';

/** A scratch database the benchmark creates for itself and drops at the end. */
export interface BenchDatabase {
  kind: BenchDatabaseKind;
  /** What to print: never a password. */
  description: string;
  config: Config['database'];
  /** CAREWEAVE_* settings that point a server process at this database. */
  serverEnv: Record<string, string>;
  drop(): Promise<void>;
}

export const DEFAULT_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

export async function createBenchDatabase(kind: BenchDatabaseKind, adminUrl: string): Promise<BenchDatabase> {
  const suffix = randomBytes(4).toString('hex');
  if (kind === 'pglite') {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `careweave-bench-${suffix}-`));
    return {
      kind,
      description: `PGlite (embedded) in ${dataDir}`,
      config: { kind: 'pglite', dataDir },
      serverEnv: { CAREWEAVE_DATA_DIR: dataDir },
      drop: () => Promise.resolve(fs.rmSync(dataDir, { recursive: true, force: true })),
    };
  }
  const name = `careweave_bench_${suffix}`;
  await adminQuery(adminUrl, `create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const safe = new URL(url);
  safe.password = '';
  const citus = process.env['CAREWEAVE_BENCH_CITUS'] === '1';
  if (citus) {
    await shardByPatient(adminUrl, name, url.toString());
  }
  return {
    kind,
    description: `PostgreSQL database ${name} at ${safe.host}${citus ? ', a Citus coordinator: the record sharded by patient' : ''}`,
    config: { kind: 'postgres', url: url.toString(), poolSize: 10 },
    serverEnv: { CAREWEAVE_DATABASE_URL: url.toString() },
    drop: () => adminQuery(adminUrl, `drop database if exists ${name} with (force)`),
  };
}

async function adminQuery(adminUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * CAREWEAVE_BENCH_CITUS=1 with CAREWEAVE_BENCH_POSTGRES_URL at a Citus coordinator (its nodes running
 * with citus.enable_create_database_propagation, as ../shared/tools/citus/local-cluster.sh's do after
 * `alter system`): the scratch database becomes a cluster of its own and its record is sharded by
 * patient before anything is loaded.
 */
async function shardByPatient(adminUrl: string, name: string, url: string): Promise<void> {
  await enableCitus(await nodeUrls(adminUrl, name));
  const db = await openPostgres(url, 2);
  try {
    await migrate(db);
    await distributeByPatient(db);
  } finally {
    await db.close();
  }
}
