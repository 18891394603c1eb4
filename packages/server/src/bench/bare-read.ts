import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../testing/server-process.ts';
import { cpuMsPerOperation, cpuSince, type cpuSnapshot } from './cpu.ts';
import { loadTest } from './http.ts';
import type { DatabaseRun } from './report.ts';

const SERVER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'bare-read-server.ts');

/** What the reads-by-id ratio needs from the benchmark run. */
export interface BareReadContext {
  databaseUrl: string;
  resources: number;
  connections: number;
  durationSeconds: number;
  path: () => string;
  headers: Record<string, string>;
  log: (message: string) => void;
  /** CPU use of these processes and of this database's backends from now on. */
  snapshot: (pids: number[]) => ReturnType<typeof cpuSnapshot>;
}

/** The issue's target: CareWeave's reads by id, audit trail on, at ≥ 0.7× the bare server. */
const TARGET_RATIO = 0.7;

/**
 * The same closed-loop read test as `read`, against `bare-read-server.ts` on the same database, so
 * the figure that matters is a ratio measured minutes apart on the same machine and data: CareWeave
 * (sign-in, access policy, audit row, framework) against the floor of node:http + pg.
 */
export async function bareReadBaseline(run: DatabaseRun, ctx: BareReadContext): Promise<void> {
  const careweave = run.figures.find((figure) => figure.id === 'read');
  const port = await freePort();
  const child = spawn(process.execPath, [SERVER, ctx.databaseUrl, String(port), '10'], { stdio: 'inherit' });
  const baseUrl = `http://127.0.0.1:${port}`;
  try {
    await waitUntilListening(baseUrl);
    ctx.log(`postgres: bare node:http + pg reads: warm-up, then ${ctx.durationSeconds} s`);
    await loadTest([baseUrl], {
      connections: ctx.connections,
      durationSeconds: 3,
      path: ctx.path,
      headers: ctx.headers,
    });
    const before = ctx.snapshot([child.pid!]);
    const result = await loadTest([baseUrl], {
      connections: ctx.connections,
      durationSeconds: ctx.durationSeconds,
      path: ctx.path,
      headers: ctx.headers,
    });
    const use = cpuSince(before);
    if (result.errors || result.non2xx) {
      throw new Error(`bare reads: ${result.errors} errors and ${result.non2xx} non-2xx answers`);
    }
    const ratio = careweave?.throughput ? careweave.throughput.value / result.requestsPerSecond : undefined;
    run.figures.push({
      id: 'read-bare',
      benchmark: 'Read by id, bare node:http + pg (reference point)',
      database: 'postgres',
      resources: ctx.resources,
      method: `the same test as "Read by id" against src/bench/bare-read-server.ts: one prepared query on current_resource, the stored JSON sent as is, pool of 10, no sign-in, policy or audit`,
      throughput: { value: result.requestsPerSecond, unit: 'requests/s' },
      latency: result.latency,
      cpu: use,
      cpuMsPerOperation: cpuMsPerOperation(use, result.requests, false),
      ...(ratio === undefined
        ? {}
        : {
            target: {
              text: `CareWeave ≥ ${TARGET_RATIO}× these reads`,
              met: ratio >= TARGET_RATIO,
              note: `ratio ${ratio.toFixed(2)} (${careweave!.throughput!.value} ÷ ${result.requestsPerSecond} req/s)`,
            },
          }),
      details: { ...result, ratio },
    });
    ctx.log(
      `postgres: bare reads: ${result.requestsPerSecond} req/s, p99 ${result.latency.p99Ms} ms${ratio === undefined ? '' : `; CareWeave ÷ bare = ${ratio.toFixed(2)}`}`,
    );
  } finally {
    child.kill('SIGTERM');
  }
}

async function waitUntilListening(baseUrl: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (
      await fetch(`${baseUrl}/healthz`).then(
        (r) => r.ok,
        () => false,
      )
    ) {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the bare read server did not start');
}
