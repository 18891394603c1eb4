import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePort } from '../../testing/server-process.ts';

/**
 * A PostgreSQL primary and a streaming replica of it, made for one test file: `initdb` (trust
 * authentication, replication allowed from 127.0.0.1), `pg_basebackup -R` for the standby, each on
 * its own port and socket folder. PostgreSQL will not run as root, so as root the tools run as the
 * `postgres` user. Needs the server binaries (`pg_config --bindir`), as CI's PostgreSQL 15 has.
 */
export interface ReplicatedCluster {
  primaryUrl: string;
  replicaUrl: string;
  /** Runs SQL as the superuser on the primary's or the replica's `postgres` database. */
  sql(on: 'primary' | 'replica', text: string): Promise<Record<string, unknown>[]>;
  stopReplica(): void;
  close(): void;
}

export const asPostgres = (command: string, args: string[]): [string, string[]] =>
  process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];

function run(bin: string, command: string, args: string[]): void {
  const [file, argv] = asPostgres(path.join(bin, command), args);
  execFileSync(file, argv, { stdio: 'pipe', timeout: 120_000 });
}

/** `pg_config --bindir`, or Debian's newest `/usr/lib/postgresql/<n>/bin` when pg_config is absent. */
export function serverBinaries(): string {
  try {
    return execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim();
  } catch {
    const versions = fs.readdirSync('/usr/lib/postgresql').sort((a, b) => Number(a) - Number(b));
    return path.join('/usr/lib/postgresql', versions[versions.length - 1] ?? '', 'bin');
  }
}

export async function startReplicatedCluster(): Promise<ReplicatedCluster> {
  const bin = serverBinaries();
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'careweave-replication-'));
  if (process.getuid?.() === 0) {
    execFileSync('chown', ['postgres:postgres', base]);
  }
  const primaryDir = path.join(base, 'primary');
  const replicaDir = path.join(base, 'replica');
  const [primaryPort, replicaPort] = [await freePort(), await freePort()];
  run(bin, 'initdb', ['-D', primaryDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  const settings = (port: number) =>
    [
      `port = ${port}`,
      `listen_addresses = '127.0.0.1'`,
      `unix_socket_directories = '${base}'`,
      'wal_level = replica',
      'max_wal_senders = 4',
      'fsync = off',
      'synchronous_commit = off',
      'shared_buffers = 32MB',
    ].join('\n');
  fs.appendFileSync(path.join(primaryDir, 'postgresql.conf'), `\n${settings(primaryPort)}\n`);
  run(bin, 'pg_ctl', ['-D', primaryDir, '-l', path.join(base, 'primary.log'), '-w', 'start']);
  run(bin, 'pg_basebackup', [
    '-h',
    '127.0.0.1',
    '-p',
    String(primaryPort),
    '-U',
    'postgres',
    '-D',
    replicaDir,
    '-R',
    '-X',
    'stream',
  ]);
  fs.appendFileSync(path.join(replicaDir, 'postgresql.conf'), `\nport = ${replicaPort}\n`);
  run(bin, 'pg_ctl', ['-D', replicaDir, '-l', path.join(base, 'replica.log'), '-w', 'start']);
  const url = (port: number, db: string) => `postgres://postgres@127.0.0.1:${port}/${db}`;
  const sql = async (on: 'primary' | 'replica', text: string) => {
    const client = new pg.Client({ connectionString: url(on === 'primary' ? primaryPort : replicaPort, 'postgres') });
    await client.connect();
    try {
      return (await client.query(text)).rows as Record<string, unknown>[];
    } finally {
      await client.end();
    }
  };
  await sql('primary', 'create database careweave');
  let replicaRunning = true;
  const stopReplica = (): void => {
    if (replicaRunning) {
      run(bin, 'pg_ctl', ['-D', replicaDir, '-m', 'immediate', '-w', 'stop']);
      replicaRunning = false;
    }
  };
  return {
    primaryUrl: url(primaryPort, 'careweave'),
    replicaUrl: url(replicaPort, 'careweave'),
    sql,
    stopReplica,
    close() {
      stopReplica();
      run(bin, 'pg_ctl', ['-D', primaryDir, '-m', 'immediate', '-w', 'stop']);
      fs.rmSync(base, { recursive: true, force: true });
    },
  };
}
