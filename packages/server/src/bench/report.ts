import type { CpuUse } from './cpu.ts';
import type { DataSize } from './load.ts';
import { describeMachine, type MachineInfo } from './machine.ts';
import type { LatencySummary } from './stats.ts';

export interface Target {
  text: string;
  /** null: not applicable here (e.g. PGlite, or below the scale the target is stated for). */
  met: boolean | null;
  note?: string;
}

export interface Figure {
  id: string;
  benchmark: string;
  database: 'postgres' | 'pglite';
  /** Resources in the database when the figure was measured. */
  resources: number;
  /** How it was measured (path, concurrency, duration). */
  method: string;
  throughput?: { value: number; unit: 'resources/s' | 'requests/s' | 'messages/s' };
  latency?: LatencySummary;
  target?: Target;
  cpu?: CpuUse;
  /** CPU ms per operation (resource written, request answered) of the server side: see cpuMsPerOperation. */
  cpuMsPerOperation?: number | null;
  details?: Record<string, unknown>;
}

export interface DatabaseRun {
  database: 'postgres' | 'pglite';
  description: string;
  serverVersion: string;
  patients: number;
  /** How the HTTP benchmarks authenticated. */
  authentication?: string;
  dataSize?: DataSize;
  /** Seconds spent loading (all paths) and in VACUUM ANALYZE afterwards. */
  loadSeconds?: number;
  vacuumAnalyzeSeconds?: number;
  figures: Figure[];
  explainFile?: string;
  error?: string;
}

export interface BenchReport {
  startedAt: string;
  finishedAt?: string;
  command: string;
  machine: MachineInfo;
  code?: { commit: string; uncommittedFiles: number };
  options: Record<string, unknown>;
  runs: DatabaseRun[];
}

const num = (n: number): string => n.toLocaleString('en-GB');
const ms = (n: number | undefined): string => (n === undefined || Number.isNaN(n) ? '' : n.toFixed(1));

function met(target: Target | undefined): string {
  if (!target) {
    return '';
  }
  const verdict = target.met === null ? 'n/a' : target.met ? 'yes' : '**NO**';
  return target.note ? `${verdict} (${target.note})` : verdict;
}

export function markdown(report: BenchReport): string {
  const lines: string[] = [
    `# CareWeave benchmark, ${report.startedAt}`,
    '',
    `- Command: \`${report.command}\``,
    `- Machine: ${describeMachine(report.machine)}`,
  ];
  if (report.code) {
    lines.push(
      `- Code: commit ${report.code.commit}${report.code.uncommittedFiles ? ` plus uncommitted changes to ${report.code.uncommittedFiles} tracked files` : ''}`,
    );
  }
  for (const run of report.runs) {
    const size = run.dataSize
      ? `${num(run.dataSize.resources)} resources (${num(run.patients)} seeded patients)${run.dataSize.databaseMiB !== null ? `, ${num(run.dataSize.databaseMiB)} MiB on disk` : ''}`
      : 'not loaded';
    lines.push(`- ${run.database}: ${run.serverVersion}; ${run.description}; ${size}`);
    if (run.authentication) {
      lines.push(`  - HTTP requests authenticated with: ${run.authentication}`);
    }
    if (run.loadSeconds !== undefined) {
      lines.push(
        `  - loading took ${run.loadSeconds.toFixed(0)} s, then VACUUM ANALYZE ${run.vacuumAnalyzeSeconds?.toFixed(0) ?? '?'} s`,
      );
    }
    if (run.explainFile) {
      lines.push(`  - EXPLAIN ANALYZE of every search: ${run.explainFile}`);
    }
    if (run.error) {
      lines.push(`  - **FAILED**: ${run.error}`);
    }
  }
  lines.push(
    '',
    '| Benchmark | Database | Resources | Method | Throughput | p50 ms | p95 ms | p99 ms | Target | Met | CPU ms/op | CPU % bench/servers/pg/other/iowait |',
    '|---|---|---:|---|---:|---:|---:|---:|---|---|---:|---|',
  );
  for (const run of report.runs) {
    for (const f of run.figures) {
      const throughput = f.throughput ? `${num(f.throughput.value)} ${f.throughput.unit}` : '';
      const cpu = f.cpu
        ? [f.cpu.benchProcess, f.cpu.serverProcesses, f.cpu.postgres, f.cpu.other, f.cpu.ioWait]
            .map((v) => (v === null ? '-' : String(v)))
            .join('/')
        : '';
      lines.push(
        `| ${f.benchmark} | ${f.database} | ${num(f.resources)} | ${f.method} | ${throughput} | ${ms(f.latency?.p50Ms)} | ${ms(f.latency?.p95Ms)} | ${ms(f.latency?.p99Ms)} | ${f.target?.text ?? ''} | ${met(f.target)} | ${f.cpuMsPerOperation ?? ''} | ${cpu} |`,
      );
    }
  }
  lines.push(
    '',
    'CPU: percent of one core over the step (200 = both cores of a 2-core machine). "other" is load from processes that are not part of the benchmark (on a shared machine: the noise in the figure); iowait is idle time waiting for the disk. CPU ms/op: CPU time of the system under test (server processes, or the bench process for in-process writes, plus PostgreSQL; not the load generator) per resource written or request answered, for the throughput benchmarks; it depends much less on other load than throughput does, so compare it between runs.',
  );
  return lines.join('\n');
}
