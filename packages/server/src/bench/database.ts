import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { Config } from '../config/config.ts';

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
  return {
    kind,
    description: `PostgreSQL database ${name} at ${safe.host}`,
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
