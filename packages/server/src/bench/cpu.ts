import fs from 'node:fs';
import os from 'node:os';

/**
 * Where CPU time went during a benchmark step (Linux /proc; elsewhere only this process is known).
 * `postgres` is the local PostgreSQL server's work for the benchmark's database (its backends plus
 * the shared background processes), so it tells whether the database or Node was the bottleneck;
 * null when no database name is given (PGlite runs inside the Node processes). `other` is everything else on the machine:
 * on a shared machine it is the noise in the figure.
 */
export interface CpuUse {
  /** Percent of one core, e.g. 150 = one and a half cores busy on average. */
  benchProcess: number;
  serverProcesses: number | null;
  postgres: number | null;
  machine: number | null;
  other: number | null;
  /** Idle time spent waiting for disk I/O (percent of one core). */
  ioWait: number | null;
  loadAverage1m: number;
  /** Length of the measured interval. */
  seconds: number;
}

interface Snapshot {
  at: number;
  self: NodeJS.CpuUsage;
  machine: { busy: number; ioWait: number } | null;
  postgres: Map<number, number> | null;
  servers: number | null;
  serverPids: readonly number[];
  database: string | undefined;
}

const TICKS = 100; // USER_HZ on Linux

function machineTicks(): { busy: number; ioWait: number } | null {
  try {
    const fields = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
    return { busy: fields.slice(0, 8).reduce((a, b) => a + b, 0) - idle, ioWait: fields[4] ?? 0 };
  } catch {
    return null;
  }
}

function processTicks(pid: number): { comm: string; ticks: number } | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    const rest = stat.slice(close + 2).split(' ');
    // Fields after "(comm) ": state=0, … utime=11, stime=12.
    return { comm, ticks: Number(rest[11]) + Number(rest[12]) };
  } catch {
    return null;
  }
}

/**
 * PostgreSQL processes that work for us: backends and autovacuum workers of `database`, and the
 * shared background processes (WAL writer, checkpointer, background writer). Backends and
 * autovacuum workers of other databases on the same server (other people's tests) count as "other".
 */
function postgresTicks(database: string | undefined): Map<number, number> | null {
  if (!database) {
    return null;
  }
  let dir: string[];
  try {
    dir = fs.readdirSync('/proc');
  } catch {
    return null;
  }
  const ticks = new Map<number, number>();
  for (const entry of dir) {
    if (!/^\d+$/.test(entry)) {
      continue;
    }
    const p = processTicks(Number(entry));
    if (p && p.comm === 'postgres') {
      let cmdline: string;
      try {
        cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      } catch {
        continue;
      }
      // Client backends and autovacuum workers name their database; count only ours.
      const perDatabase = /\d+\.\d+\.\d+\.\d+\(\d+\)|\[local\]|autovacuum worker/.test(cmdline);
      if (perDatabase && !cmdline.includes(` ${database}`)) {
        continue;
      }
      ticks.set(Number(entry), p.ticks);
    }
  }
  return ticks;
}

/** CPU ticks between two per-process snapshots; processes that started in between count from 0. */
function ticksBetween(start: Map<number, number> | null, end: Map<number, number> | null): number | null {
  if (!start || !end) {
    return null;
  }
  let total = 0;
  for (const [pid, ticks] of end) {
    total += Math.max(0, ticks - (start.get(pid) ?? 0));
  }
  return total;
}

function serverTicks(pids: readonly number[]): number | null {
  if (!pids.length) {
    return null;
  }
  let total = 0;
  for (const pid of pids) {
    const p = processTicks(pid);
    if (!p) {
      return null;
    }
    total += p.ticks;
  }
  return total;
}

export function cpuSnapshot(serverPids: readonly number[] = [], database?: string): Snapshot {
  return {
    database,
    at: performance.now(),
    self: process.cpuUsage(),
    machine: machineTicks(),
    postgres: postgresTicks(database),
    servers: serverTicks(serverPids),
    serverPids,
  };
}

export function cpuSince(start: Snapshot): CpuUse {
  const end = cpuSnapshot(start.serverPids, start.database);
  const seconds = (end.at - start.at) / 1000;
  const pct = (ticks: number | null): number | null =>
    ticks === null ? null : Math.round((ticks / TICKS / seconds) * 100);
  const self = process.cpuUsage(start.self);
  const benchProcess = Math.round(((self.user + self.system) / 1e6 / seconds) * 100);
  const diff = (a: number | null, b: number | null): number | null => (a === null || b === null ? null : a - b);
  const machine = pct(diff(end.machine?.busy ?? null, start.machine?.busy ?? null));
  const ioWait = pct(diff(end.machine?.ioWait ?? null, start.machine?.ioWait ?? null));
  const postgres = pct(ticksBetween(start.postgres, end.postgres));
  const servers = pct(diff(end.servers, start.servers));
  const other = machine === null ? null : Math.max(0, machine - benchProcess - (postgres ?? 0) - (servers ?? 0));
  return {
    benchProcess,
    serverProcesses: servers,
    postgres,
    machine,
    other,
    ioWait,
    loadAverage1m: Math.round(os.loadavg()[0]! * 100) / 100,
    seconds: Math.round(seconds * 100) / 100,
  };
}

/**
 * CPU milliseconds per operation spent by the system under test: the server processes (or, for
 * in-process writes, this process) plus PostgreSQL. The load generator is left out. Unlike
 * throughput, this depends little on how much CPU other processes took, so it is the figure to
 * compare between runs on a shared machine. Only meaningful for the throughput benchmarks: at a
 * few requests a second PostgreSQL's background work (autovacuum, checkpoints) dominates it.
 */
export function cpuMsPerOperation(use: CpuUse, operations: number, includeBenchProcess: boolean): number | null {
  if (operations <= 0) {
    return null;
  }
  const percent = (includeBenchProcess ? use.benchProcess : (use.serverProcesses ?? 0)) + (use.postgres ?? 0);
  return Math.round(((percent / 100) * use.seconds * 1000 * 1000) / operations) / 1000;
}
