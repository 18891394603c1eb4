import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePort } from '../../testing/server-process.ts';
import { asPostgres, serverBinaries } from './replicated-cluster.ts';

/**
 * A throwaway Citus cluster for one test run: a coordinator and two workers, each its own `initdb`
 * with `shared_preload_libraries = 'citus'`, on free ports and a private socket folder, never touching
 * the server on 5432. Needs the Citus extension installed into PostgreSQL's library folder
 * (`scripts/install-citus.sh`; `.ci/run` does it).
 */
export interface CitusCluster {
  coordinatorUrl: string;
  close(): void;
}

/** Whether the Citus extension is installed for the PostgreSQL whose binaries the tests use. */
export function citusInstalled(): boolean {
  try {
    const libdir = execFileSync(path.join(serverBinaries(), 'pg_config'), ['--pkglibdir'], { encoding: 'utf8' });
    return fs.existsSync(path.join(libdir.trim(), 'citus.so'));
  } catch {
    return fs.existsSync('/usr/lib/postgresql/15/lib/citus.so');
  }
}

function run(bin: string, command: string, args: string[]): void {
  const [file, argv] = asPostgres(path.join(bin, command), args);
  execFileSync(file, argv, { stdio: 'pipe', timeout: 120_000 });
}

export async function startCitusCluster(): Promise<CitusCluster> {
  const bin = serverBinaries();
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'careweave-citus-'));
  if (process.getuid?.() === 0) {
    execFileSync('chown', ['postgres:postgres', base]);
  }
  const ports = [await freePort(), await freePort(), await freePort()];
  const dirs = ports.map((port) => path.join(base, `node${port}`));
  const started: string[] = [];
  const stop = (): void => {
    for (const dir of started) {
      try {
        run(bin, 'pg_ctl', ['-D', dir, '-m', 'immediate', '-w', 'stop']);
      } catch {
        // Already gone.
      }
    }
    fs.rmSync(base, { recursive: true, force: true });
  };
  try {
    for (const [i, dir] of dirs.entries()) {
      run(bin, 'initdb', ['-D', dir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
      fs.appendFileSync(
        path.join(dir, 'postgresql.conf'),
        [
          '',
          `port = ${ports[i]}`,
          `listen_addresses = '127.0.0.1'`,
          `unix_socket_directories = '${base}'`,
          `shared_preload_libraries = 'citus'`,
          'max_connections = 300',
          'max_prepared_transactions = 200',
          'fsync = off',
          'synchronous_commit = off',
          'full_page_writes = off',
          'shared_buffers = 64MB',
          // Test databases come and go by the dozen; their workers' copies go with them.
          'citus.enable_create_database_propagation = on',
          '',
        ].join('\n'),
      );
      run(bin, 'pg_ctl', ['-D', dir, '-l', `${dir}.log`, '-w', 'start']);
      started.push(dir);
    }
    const url = (port: number, db: string): string => `postgres://postgres@127.0.0.1:${port}/${db}`;
    await enableCitus(ports.map((port) => url(port, 'postgres')));
    return { coordinatorUrl: url(ports[0]!, 'postgres'), close: stop };
  } catch (error) {
    stop();
    throw error;
  }
}

/**
 * Makes the database named in `urls` (one per node, the coordinator's first) a Citus cluster of its
 * own: Citus keeps its node list per database, and a worker needs the extension in each database
 * before the coordinator adds it.
 */
export async function enableCitus(urls: readonly string[]): Promise<void> {
  for (const nodeUrl of urls) {
    await onNode(nodeUrl, 'create extension if not exists citus');
  }
  const [coordinator, ...workers] = urls.map((u) => new URL(u));
  await onNode(urls[0]!, `select citus_set_coordinator_host('${coordinator!.hostname}', ${coordinator!.port})`);
  for (const worker of workers) {
    await onNode(urls[0]!, `select citus_add_node('${worker.hostname}', ${worker.port})`);
  }
}

/** The URLs of a cluster's nodes for database `db`, the coordinator's first, read from its metadata. */
export async function nodeUrls(coordinatorUrl: string, db: string): Promise<string[]> {
  const rows = (await onNode(
    coordinatorUrl,
    `select nodename, nodeport from pg_dist_node where noderole = 'primary' order by groupid`,
  )) as { nodename: string; nodeport: number }[];
  return rows.map((row) => `postgres://postgres@${row.nodename}:${row.nodeport}/${db}`);
}

export async function onNode(url: string, sql: string): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows as Record<string, unknown>[];
  } finally {
    await client.end();
  }
}
