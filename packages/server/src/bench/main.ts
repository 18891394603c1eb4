#!/usr/bin/env node
/**
 * `npm run bench`: loads seeded data into a scratch database (PGlite and/or PostgreSQL), then
 * measures bulk writes, reads by id, typical searches and $everything, over HTTP against real
 * `careweave start` processes. Results go to bench-results/<timestamp>.json and a Markdown table
 * on stdout; progress goes to stderr. See docs/PERFORMANCE.md.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, InvalidArgumentError, Option } from 'commander';
import { loadConfig } from '../config/config.ts';
import type { Database } from '../db/database.ts';
import { openDatabase } from '../db/open.ts';
import { createPlatform, type Platform } from '../http/app.ts';
import { Rng } from '../seed/index.ts';
import { startServerProcess, type ServerProcess } from '../testing/server-process.ts';
import { cpuMsPerOperation, cpuSince, cpuSnapshot, type CpuUse } from './cpu.ts';
import { createBenchDatabase, DEFAULT_POSTGRES_URL, type BenchDatabase, type BenchDatabaseKind } from './database.ts';
import { eventsBenchmark } from './events.ts';
import { explainFhirQuery, formatExplained } from './explain.ts';
import { fetchAccessToken, fixedRateTest, loadTest, requestHeaders, type FixedRateResult } from './http.ts';
import {
  dataSize,
  everythingPatient,
  loadWithBundles,
  loadWithWriteMany,
  seededPopulation,
  type ThroughputResult,
} from './load.ts';
import { codeVersion, machineInfo } from './machine.ts';
import { bareReadBaseline } from './bare-read.ts';
import { importBenchmark } from './import.ts';
import { benchEncounters, benchPatients, mllpBenchmark } from './mllp.ts';
import { notificationsBenchmark } from './notifications.ts';
import { telehealthBenchmark } from './telehealth.ts';
import { riskBenchmark } from './risk.ts';
import { referralsBenchmark } from './referrals.ts';
import { referralAnalyticsBenchmark } from './referral-analytics.ts';
import { admissionAlertsBenchmark } from './admission-alerts.ts';
import { policyBenchmark, policyFigures } from './policy.ts';
import { markdown, type BenchReport, type DatabaseRun, type Figure, type Target } from './report.ts';
import {
  EVERYTHING_QUERY,
  runSequential,
  SampleCollector,
  SEARCHES,
  type SearchSample,
  type SequentialResult,
} from './scenarios.ts';

const PACKAGE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const FHIR_PATH = '/fhir/R4';
const SEARCH_WARMUP = 10;
const EVERYTHING_WARMUP = 3;

export const BENCHMARKS = [
  'write',
  'import',
  'bundle',
  'policy',
  'read',
  'read-2-servers',
  'search',
  'everything',
  'everything-xml',
  'explain',
  'mllp',
  'events',
  'notifications',
  'telehealth',
  'admission-alerts',
  'risk',
  'referrals',
  'referral-analytics',
] as const;
type BenchmarkName = (typeof BENCHMARKS)[number];

/** Targets from the performance issue. Stated for PostgreSQL; searches at 1,000,000+ resources. */
const TARGETS = {
  importPerSecond: 15_000,
  readP99Ms: 20,
  readPerSecond: 4_000,
  searchP95Ms: 10,
  searchScale: 1_000_000,
  everythingP95Ms: 50,
  policyRatio: 1.3,
};

interface Options {
  database: 'pglite' | 'postgres' | 'both';
  patients: number;
  pglitePatients?: number;
  only?: string;
  duration: number;
  connections: number;
  readRate: number;
  iterations: number;
  searchTimeLimit: number;
  everythingIterations: number;
  everythingSize: number;
  policyIterations: number;
  mllpMessages: number;
  mllpConnections: number;
  mllpWindow: number;
  bundlePatients?: number;
  batchSize: number;
  writeConcurrency: number;
  seed: number;
  out: string;
  waitIdle: number;
  importDir: string;
  importNoValidate?: boolean;
  keep?: boolean;
}

function integer(min: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) {
      throw new InvalidArgumentError(`expected an integer ≥ ${min}`);
    }
    return n;
  };
}

const program = new Command()
  .name('npm run bench --')
  .description(
    [
      'CareWeave performance benchmark. Creates its own scratch database(s), loads seeded patients (~33.6 resources each), runs the benchmarks over HTTP against `careweave start` processes, and drops the database(s) again.',
      `PostgreSQL: CAREWEAVE_BENCH_POSTGRES_URL (default ${DEFAULT_POSTGRES_URL}) must allow CREATE DATABASE; the benchmark creates and drops careweave_bench_<random> there.`,
      `Benchmarks (--only): ${BENCHMARKS.join(', ')}. The seeded data is always loaded, and its write throughput always reported, because everything else needs it.`,
      'Results: <out>/<timestamp>.json, EXPLAIN plans in <out>/<timestamp>.explain-<database>.txt, a Markdown table on stdout; progress on stderr.',
      'CAREWEAVE_BENCH_PROFILE=<folder>: a V8 CPU profile of each in-process step that supports it (the bookings of --only referrals) is written there.',
    ].join('\n\n'),
  )
  .addOption(
    new Option('--database <which>', 'database(s) to benchmark')
      .choices(['pglite', 'postgres', 'both'])
      .default('both'),
  )
  .option('--patients <n>', 'seeded patients (scale); 30000 gives ~1,000,000 resources', integer(1), 2000)
  .option('--pglite-patients <n>', 'seeded patients for PGlite (default: --patients)', integer(1))
  .option('--only <names>', `comma-separated subset of: ${BENCHMARKS.join(', ')}`)
  .option('--duration <seconds>', 'length of each read-by-id load test', integer(1), 10)
  .option('--connections <n>', 'concurrent connections in the read-by-id load tests', integer(1), 50)
  .option(
    '--read-rate <n>',
    'fixed arrival rate (req/s) of the open-loop read-by-id test; 0 skips it',
    integer(0),
    4000,
  )
  .option('--iterations <n>', 'requests per search (sequential, random parameters)', integer(1), 200)
  .option(
    '--search-time-limit <seconds>',
    'stop a search after this long even if --iterations are not done (at least 20 requests)',
    integer(1),
    60,
  )
  .option('--everything-iterations <n>', 'requests of $everything', integer(1), 50)
  .option('--everything-size <n>', 'resources in the $everything patient compartment', integer(1), 1000)
  .option('--policy-iterations <n>', 'runs of each query per variant in the policy benchmark', integer(1), 100)
  .option('--mllp-messages <n>', 'HL7 v2 ADT messages per MLLP run (one connection, then several)', integer(3), 6000)
  .option('--mllp-connections <n>', 'connections of the second MLLP run', integer(1), 8)
  .option(
    '--mllp-window <n>',
    'above 1: both MLLP runs again with this many unacknowledged messages in flight per connection',
    integer(1),
    1,
  )
  .option(
    '--bundle-patients <n>',
    'patients uploaded as transaction Bundles (default 10% of --patients, at most 1000)',
    integer(1),
  )
  .option('--batch-size <n>', 'resources per writeMany batch', integer(1), 1000)
  .option(
    '--write-concurrency <n>',
    'writeMany batches / Bundles in flight on PostgreSQL (PGlite: always 1)',
    integer(1),
    2,
  )
  .option('--seed <n>', 'seed of the generated population', integer(0), 1)
  .option('--out <dir>', 'where the JSON results go', path.join(PACKAGE_DIR, 'bench-results'))
  .option(
    '--wait-idle <seconds>',
    'before each timed step wait up to this long for other load on the machine to stop',
    integer(0),
    0,
  )
  .option(
    '--import-dir <dir>',
    'FHIR files for the import benchmark (PostgreSQL only)',
    path.resolve(PACKAGE_DIR, '../../../shared/data/synthea/bundles'),
  )
  .option('--import-no-validate', 'import benchmark: skip validation, as `careweave import --no-validate`')
  .option('--keep', 'do not drop the scratch database(s) at the end')
  .showHelpAfterError();

function log(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

/** Busy fraction of the whole machine (in % of one core) over `ms`, from /proc/stat. */
async function machineBusy(ms: number): Promise<number | null> {
  const snap = cpuSnapshot();
  await new Promise((r) => setTimeout(r, ms));
  return cpuSince(snap).machine;
}

async function waitForIdle(maxSeconds: number): Promise<void> {
  if (maxSeconds <= 0) {
    return;
  }
  const deadline = Date.now() + maxSeconds * 1000;
  let warned = false;
  for (;;) {
    const busy = await machineBusy(2000);
    if (busy === null || busy < 30) {
      return;
    }
    if (Date.now() > deadline) {
      log(`machine still busy (${busy}% of a core); going ahead`);
      return;
    }
    if (!warned) {
      log(`machine busy (${busy}% of a core); waiting up to ${maxSeconds} s for it to settle`);
      warned = true;
    }
  }
}

function progress(label: string, total: number): (done: number) => void {
  let last = 0;
  const started = performance.now();
  return (done) => {
    const now = performance.now();
    if (now - last > 5000) {
      last = now;
      const rate = done / ((now - started) / 1000);
      log(
        `${label}: ${done.toLocaleString('en-GB')} / ~${total.toLocaleString('en-GB')} resources (${Math.round(rate)}/s)`,
      );
    }
  };
}

function throughputTarget(kind: BenchDatabaseKind, result: ThroughputResult): Target {
  const text = `≥ ${TARGETS.importPerSecond.toLocaleString('en-GB')} resources/s (PostgreSQL)`;
  return kind === 'postgres'
    ? { text, met: result.resourcesPerSecond >= TARGETS.importPerSecond }
    : { text, met: null, note: 'target is for PostgreSQL' };
}

function readTarget(kind: BenchDatabaseKind, result: FixedRateResult): Target {
  const text = `p99 ≤ ${TARGETS.readP99Ms} ms at ≥ ${TARGETS.readPerSecond.toLocaleString('en-GB')} req/s`;
  if (kind !== 'postgres') {
    return { text, met: null, note: 'target is for PostgreSQL' };
  }
  const rateOk = result.targetRate >= TARGETS.readPerSecond && result.requestsPerSecond >= result.targetRate * 0.98;
  const latencyOk = result.latency.p99Ms <= TARGETS.readP99Ms;
  const note =
    rateOk && latencyOk
      ? undefined
      : [!rateOk && 'rate', !latencyOk && 'p99'].filter(Boolean).join(' and ') + ' missed';
  return { text, met: rateOk && latencyOk, ...(note ? { note } : {}) };
}

function latencyTarget(kind: BenchDatabaseKind, p95: number, limit: number, resources: number, minScale = 0): Target {
  const text = `p95 ≤ ${limit} ms${minScale ? ` at ≥ ${(minScale / 1e6).toFixed(0)}M resources` : ''}`;
  if (kind !== 'postgres') {
    return { text, met: null, note: 'target is for PostgreSQL' };
  }
  if (resources < minScale) {
    return {
      text,
      met: null,
      note: `indicative: only ${resources.toLocaleString('en-GB')} resources${p95 > limit ? '; over the limit already' : ''}`,
    };
  }
  return { text, met: p95 <= limit };
}

function emptyFixedRate(rate: number): FixedRateResult {
  const latency = {
    count: 0,
    meanMs: Number.NaN,
    p50Ms: Number.NaN,
    p95Ms: Number.NaN,
    p99Ms: Number.NaN,
    maxMs: Number.NaN,
  };
  return {
    servers: 0,
    targetRate: rate,
    durationSeconds: 0,
    requests: 0,
    requestsPerSecond: 0,
    errors: 0,
    non2xx: 0,
    latency,
    maxInFlight: 0,
  };
}

async function serverVersion(db: Database): Promise<string> {
  const [row] = await db.query<{ version: string }>('select version() as version');
  const version = row?.version ?? 'unknown';
  return db.kind === 'pglite' ? `PGlite (${version.split(',')[0]})` : version.split(',')[0]!;
}

interface RunContext {
  adminUrl: string;
  options: Options;
  only: Set<BenchmarkName>;
  kind: BenchDatabaseKind;
  patients: number;
  outBase: string;
}

async function runDatabase(ctx: RunContext, run: DatabaseRun, bench: BenchDatabase): Promise<void> {
  const { options, only, kind, patients } = ctx;
  const config = loadConfig({ CAREWEAVE_LOG_LEVEL: 'silent', CAREWEAVE_DEMO_DATA: 'false' });
  let db: Database | undefined = await openDatabase(bench.config);
  let platform: Platform = createPlatform(config, db);
  run.serverVersion = await serverVersion(db);
  const dbName = bench.config.kind === 'postgres' ? new URL(bench.config.url).pathname.slice(1) : undefined;
  const snapshot = (pids: number[] = []): ReturnType<typeof cpuSnapshot> => cpuSnapshot(pids, dbName);
  const concurrency = kind === 'pglite' ? 1 : options.writeConcurrency;

  if (only.has('import') && kind === 'postgres') {
    await waitForIdle(options.waitIdle);
    run.figures.push(
      ...(await importBenchmark({
        adminUrl: ctx.adminUrl,
        directory: options.importDir,
        validate: !options.importNoValidate,
        log,
        snapshot: (database) => cpuSnapshot([], database),
      })),
    );
  }

  // 1. Bulk write of the seeded population through writeMany.
  await waitForIdle(options.waitIdle);
  const expected = Math.round(patients * 33.6);
  log(
    `${kind}: loading ${patients.toLocaleString('en-GB')} patients (~${expected.toLocaleString('en-GB')} resources) with writeMany`,
  );
  let cpu: CpuUse;
  const collector = new SampleCollector(2000, options.seed);
  let snap = snapshot();
  const written = await loadWithWriteMany(platform.resources, collector.tap(seededPopulation(patients, options.seed)), {
    batchSize: options.batchSize,
    concurrency,
    onProgress: progress(`${kind} writeMany`, expected),
  });
  cpu = cpuSince(snap);
  run.figures.push({
    id: 'write',
    benchmark: 'Bulk write (writeMany)',
    database: kind,
    resources: written.resources,
    method: `in-process writeMany, batches of ${options.batchSize}, ${concurrency} in flight, into an empty database`,
    throughput: { value: written.resourcesPerSecond, unit: 'resources/s' },
    target: throughputTarget(kind, written),
    cpu,
    cpuMsPerOperation: cpuMsPerOperation(cpu, written.resources, true),
    details: { ...written },
  });
  log(`${kind}: writeMany ${written.resources} resources in ${written.seconds} s = ${written.resourcesPerSecond}/s`);

  // 2. The same kind of data as transaction Bundles through BundleService.
  let bundled: ThroughputResult | undefined;
  if (only.has('bundle')) {
    const bundlePatients = options.bundlePatients ?? Math.max(1, Math.min(1000, Math.round(patients / 10)));
    await waitForIdle(options.waitIdle);
    log(`${kind}: ${bundlePatients} transaction Bundles (one patient each) through BundleService`);
    snap = snapshot();
    bundled = await loadWithBundles(platform.resources, bundlePatients, options.seed + 1000, {
      concurrency,
      onProgress: progress(`${kind} Bundles`, Math.round(bundlePatients * 33.6)),
    });
    cpu = cpuSince(snap);
    run.figures.push({
      id: 'bundle',
      benchmark: 'Bulk write (transaction Bundles)',
      database: kind,
      resources: written.resources + bundled.resources,
      method: `in-process BundleService, one patient (~34 POST entries) per Bundle, ${concurrency} in flight, on top of the seeded data`,
      throughput: { value: bundled.resourcesPerSecond, unit: 'resources/s' },
      target: throughputTarget(kind, bundled),
      cpu,
      cpuMsPerOperation: cpuMsPerOperation(cpu, bundled.resources, true),
      details: { ...bundled, bundles: bundled.units },
    });
    log(`${kind}: Bundles ${bundled.resources} resources in ${bundled.seconds} s = ${bundled.resourcesPerSecond}/s`);
  }

  // 3. The $everything patient, then statistics as a deployment would have them after autovacuum.
  const everything = everythingPatient(options.everythingSize, options.seed + 2000);
  const everythingStarted = performance.now();
  await platform.resources.transaction((tx) =>
    tx.writeMany(
      everything.map((resource) => ({ resource: resource as never, method: 'create' as const })),
      new Map(),
    ),
  );
  run.loadSeconds = written.seconds + (bundled?.seconds ?? 0) + (performance.now() - everythingStarted) / 1000;
  const vacuumStarted = performance.now();
  log(`${kind}: vacuum analyze`);
  await db.exec('vacuum analyze');
  run.vacuumAnalyzeSeconds = (performance.now() - vacuumStarted) / 1000;
  run.dataSize = await dataSize(db, written.resources + (bundled?.resources ?? 0) + everything.length);
  const resources = run.dataSize.resources;
  log(`${kind}: ${resources.toLocaleString('en-GB')} resources, ${run.dataSize.databaseMiB ?? '?'} MiB`);

  if (only.has('policy')) {
    await waitForIdle(options.waitIdle);
    log(
      `${kind}: policy cost (in process): ${options.policyIterations} runs of each query, policy off / on / on + audit`,
    );
    const policy = await policyBenchmark(platform, { iterations: options.policyIterations, seed: options.seed, log });
    run.figures.push(...policyFigures(kind, resources, policy, TARGETS.policyRatio));
  }

  const rng = new Rng(options.seed, 7);
  const sample: SearchSample = collector.sample();
  const patientIds = collector.patientIds;
  const randomPatientPath = (): string =>
    `${FHIR_PATH}/Patient/${encodeURIComponent(patientIds[rng.int(patientIds.length)]!)}`;
  const wantsHttp =
    only.has('read') ||
    only.has('read-2-servers') ||
    only.has('search') ||
    only.has('everything') ||
    only.has('everything-xml');
  const sequential: { id: string; query: string; result: SequentialResult }[] = [];

  if (wantsHttp) {
    if (kind === 'pglite') {
      // PGlite is single-process: the server needs the data directory to itself.
      await db.close();
      db = undefined;
    }
    // The benchmark signs in like an integration would: a system client (the bootstrap client,
    // scoped to read and search) with client credentials; every request carries its Bearer token.
    const client = { id: 'careweave-bench', secret: randomBytes(24).toString('hex') };
    const serverEnv = {
      ...bench.serverEnv,
      CAREWEAVE_DEMO_DATA: 'false',
      // One public base for every instance, as behind a load balancer: tokens name it as issuer
      // and audience, so a token from one instance is good on the others.
      CAREWEAVE_BASE_URL: 'http://careweave-bench.localhost',
      CAREWEAVE_LOG_LEVEL: 'warn',
      CAREWEAVE_PRODUCTION: 'false',
      CAREWEAVE_BOOTSTRAP_CLIENT_ID: client.id,
      CAREWEAVE_BOOTSTRAP_CLIENT_SECRET: client.secret,
      CAREWEAVE_ACCESS_TOKEN_TTL: '86400',
    };
    const servers: ServerProcess[] = [];
    try {
      log(`${kind}: starting a server process`);
      servers.push(
        await startServerProcess(kind === 'pglite' ? { ...serverEnv, CAREWEAVE_DATABASE_URL: '' } : serverEnv),
      );
      const pids = (): number[] => servers.map((s) => s.child.pid!).filter(Boolean);
      const token = await fetchAccessToken(servers[0]!.baseUrl, client, 'system/*.rs');
      run.authentication = token
        ? 'Bearer token of a system client (client credentials, scope system/*.rs)'
        : 'none (server has no sign-in)';
      const headers = requestHeaders(token);

      const readBenchmark = async (id: string, label: string, urls: string[]): Promise<void> => {
        const spread = urls.length > 1 ? ` over ${urls.length} server processes` : '';
        await waitForIdle(options.waitIdle);
        log(
          `${kind}: ${label}: warm-up, then ${options.duration} s at ${options.connections} connections (closed loop)`,
        );
        await loadTest(urls, {
          connections: options.connections,
          durationSeconds: 3,
          path: randomPatientPath,
          headers,
        });
        let s = snapshot(pids());
        const result = await loadTest(urls, {
          connections: options.connections,
          durationSeconds: options.duration,
          path: randomPatientPath,
          headers,
        });
        let use = cpuSince(s);
        if (result.errors || result.non2xx) {
          throw new Error(`${label}: ${result.errors} errors and ${result.non2xx} non-2xx answers`);
        }
        run.figures.push({
          id,
          benchmark: `${label}, capacity`,
          database: kind,
          resources,
          method: `HTTP GET ${FHIR_PATH}/Patient/{random id}, autocannon, closed loop: ${options.connections} keep-alive connections${spread ? ` split evenly${spread}` : ''}, ${options.duration} s`,
          throughput: { value: result.requestsPerSecond, unit: 'requests/s' },
          latency: result.latency,
          cpu: use,
          cpuMsPerOperation: cpuMsPerOperation(use, result.requests, false),
          details: { ...result },
        });
        log(
          `${kind}: ${label}: ${result.requestsPerSecond} req/s, p50 ${result.latency.p50Ms} p95 ${result.latency.p95Ms} p99 ${result.latency.p99Ms} ms`,
        );
        if (options.readRate > 0 && result.requestsPerSecond < options.readRate) {
          run.figures.push({
            id: `${id}-rate`,
            benchmark: `${label}, at ${options.readRate.toLocaleString('en-GB')} req/s`,
            database: kind,
            resources,
            method: `not run: capacity (${result.requestsPerSecond} req/s) is below ${options.readRate} req/s, so the open-loop test would only measure a growing queue`,
            target: {
              ...readTarget(kind, { ...emptyFixedRate(options.readRate), requestsPerSecond: result.requestsPerSecond }),
              ...(kind === 'postgres' ? { met: false, note: 'capacity below the rate' } : {}),
            },
          });
          log(`${kind}: ${label}: capacity below ${options.readRate} req/s; open-loop test skipped`);
        } else if (options.readRate > 0) {
          await waitForIdle(options.waitIdle);
          log(`${kind}: ${label}: ${options.duration} s at a fixed ${options.readRate} req/s (open loop)`);
          s = snapshot(pids());
          const fixed = await fixedRateTest(urls, {
            rate: options.readRate,
            durationSeconds: options.duration,
            connections: options.connections,
            path: randomPatientPath,
            headers,
          });
          use = cpuSince(s);
          if (fixed.errors || fixed.non2xx) {
            throw new Error(
              `${label} at ${options.readRate}/s: ${fixed.errors} errors and ${fixed.non2xx} non-2xx answers`,
            );
          }
          run.figures.push({
            id: `${id}-rate`,
            benchmark: `${label}, at ${options.readRate.toLocaleString('en-GB')} req/s`,
            database: kind,
            resources,
            method: `HTTP GET ${FHIR_PATH}/Patient/{random id}, open loop: requests due every ${(1000 / options.readRate).toFixed(2)} ms${spread ? `, alternating${spread}` : ''}, up to ${options.connections} keep-alive connections, ${options.duration} s; latency from when each request was due`,
            throughput: { value: fixed.requestsPerSecond, unit: 'requests/s' },
            latency: fixed.latency,
            target: readTarget(kind, fixed),
            cpu: use,
            cpuMsPerOperation: cpuMsPerOperation(use, fixed.requests, false),
            details: { ...fixed },
          });
          log(
            `${kind}: ${label} at ${options.readRate}/s: ${fixed.requestsPerSecond} req/s, p50 ${fixed.latency.p50Ms} p95 ${fixed.latency.p95Ms} p99 ${fixed.latency.p99Ms} ms`,
          );
        }
      };

      if (only.has('read')) {
        await readBenchmark('read', 'Read by id, 1 server process', [servers[0]!.baseUrl]);
        if (kind === 'postgres') {
          await waitForIdle(options.waitIdle);
          await bareReadBaseline(run, {
            databaseUrl: bench.serverEnv.CAREWEAVE_DATABASE_URL!,
            resources,
            connections: options.connections,
            durationSeconds: options.duration,
            path: randomPatientPath,
            headers,
            log,
            snapshot,
          });
        }
      }
      if (only.has('search')) {
        for (const search of SEARCHES) {
          await waitForIdle(options.waitIdle);
          const s = snapshot(pids());
          const result = await runSequential(
            servers[0]!.baseUrl,
            FHIR_PATH,
            { name: search.name, template: search.template, query: () => search.query(rng, sample) },
            { iterations: options.iterations, warmup: SEARCH_WARMUP, maxSeconds: options.searchTimeLimit, headers },
          );
          const use = cpuSince(s);
          sequential.push({ id: `search:${search.name}`, query: search.template, result });
          run.figures.push({
            id: `search:${search.name}`,
            benchmark: `Search ${search.template}`,
            database: kind,
            resources,
            method: `HTTP, sequential (1 connection), ${result.iterations} requests with random values; mean ${result.meanMatches} matches, ${result.meanEntries} entries`,
            latency: result.latency,
            target: latencyTarget(kind, result.latency.p95Ms, TARGETS.searchP95Ms, resources, TARGETS.searchScale),
            cpu: use,
            details: { ...result },
          });
          log(
            `${kind}: ${search.name}: p50 ${result.latency.p50Ms} p95 ${result.latency.p95Ms} p99 ${result.latency.p99Ms} ms (${result.meanMatches} matches)`,
          );
        }
      }
      if (only.has('everything')) {
        await waitForIdle(options.waitIdle);
        const s = snapshot(pids());
        const result = await runSequential(
          servers[0]!.baseUrl,
          FHIR_PATH,
          { name: 'everything', template: EVERYTHING_QUERY, query: () => EVERYTHING_QUERY },
          {
            iterations: options.everythingIterations,
            warmup: EVERYTHING_WARMUP,
            maxSeconds: options.searchTimeLimit,
            headers,
          },
        );
        const use = cpuSince(s);
        sequential.push({ id: 'everything', query: EVERYTHING_QUERY, result });
        run.figures.push({
          id: 'everything',
          benchmark: `Patient/{id}/$everything (${options.everythingSize} resources in compartment)`,
          database: kind,
          resources,
          method: `HTTP, sequential (1 connection), ${result.iterations} requests; ${result.meanEntries} entries per response`,
          latency: result.latency,
          target: latencyTarget(kind, result.latency.p95Ms, TARGETS.everythingP95Ms, resources),
          cpu: use,
          details: { ...result },
        });
        log(
          `${kind}: $everything: p50 ${result.latency.p50Ms} p95 ${result.latency.p95Ms} p99 ${result.latency.p99Ms} ms (${result.meanEntries} entries)`,
        );
      }
      if (only.has('everything-xml')) {
        // The same $everything answered as FHIR XML (src/http/fhir-format.ts): the conversion's cost.
        await waitForIdle(options.waitIdle);
        const s = snapshot(pids());
        const result = await runSequential(
          servers[0]!.baseUrl,
          FHIR_PATH,
          { name: 'everything-xml', template: EVERYTHING_QUERY, query: () => EVERYTHING_QUERY },
          {
            iterations: options.everythingIterations,
            warmup: EVERYTHING_WARMUP,
            maxSeconds: options.searchTimeLimit,
            headers: { ...headers, accept: 'application/fhir+xml' },
          },
        );
        run.figures.push({
          id: 'everything-xml',
          benchmark: `Patient/{id}/$everything as FHIR XML (${options.everythingSize} resources in compartment)`,
          database: kind,
          resources,
          method: `HTTP, sequential (1 connection), Accept: application/fhir+xml, ${result.iterations} requests; ${result.meanEntries} entries per response`,
          latency: result.latency,
          cpu: cpuSince(s),
          details: { ...result },
        });
        log(
          `${kind}: $everything as XML: p50 ${result.latency.p50Ms} p95 ${result.latency.p95Ms} p99 ${result.latency.p99Ms} ms (${result.meanEntries} entries)`,
        );
      }
      if (only.has('read-2-servers') && kind === 'postgres') {
        log(`${kind}: starting a second server process`);
        servers.push(await startServerProcess(serverEnv));
        await readBenchmark(
          'read-2-servers',
          'Read by id, 2 server processes',
          servers.map((s) => s.baseUrl),
        );
      }
      run.figures.push(memoryFigure(kind, resources, servers));
    } finally {
      await Promise.all(servers.map((s) => s.stop()));
    }
  }

  // Domain events: commit → reaction start, two instances on one database (bench/events.ts).
  if (only.has('events')) {
    db ??= await openDatabase(bench.config);
    run.figures.push(...(await eventsBenchmark({ kind, config, db, bench, resources, log, snapshot })));
  }

  // HL7 v2 ADT intake over MLLP against a server process (bench/mllp.ts).
  if (only.has('mllp')) {
    db ??= await openDatabase(bench.config);
    const patients = await benchPatients(db, 1000);
    if (kind === 'pglite') {
      await db.close();
      db = undefined;
    }
    const figures = await mllpBenchmark({
      kind,
      resources,
      serverEnv: bench.serverEnv,
      patients,
      messages: options.mllpMessages,
      connections: options.mllpConnections,
      window: options.mllpWindow,
      waitForIdle: () => waitForIdle(options.waitIdle),
      log,
      snapshot,
    });
    db ??= await openDatabase(bench.config);
    for (const { run: runId, visits, ...figure } of figures) {
      const encounters = await benchEncounters(db, runId);
      if (encounters !== visits) {
        throw new Error(`MLLP ${figure.id}: ${visits} visits made ${encounters} Encounters`);
      }
      run.figures.push(figure);
    }
  }

  // Notification fan-out through the loopback SMS gateway, two instances (bench/notifications.ts).
  if (only.has('notifications')) {
    db ??= await openDatabase(bench.config);
    run.figures.push(...(await notificationsBenchmark({ kind, db, bench, resources, log })));
  }

  // Telehealth: inbound texts and a round of prompts, two instances (bench/telehealth.ts).
  if (only.has('telehealth')) {
    db ??= await openDatabase(bench.config);
    run.figures.push(...(await telehealthBenchmark({ kind, db, bench, resources, log, snapshot })));
  }

  // Admission alerts: A01 over MLLP → alert committed, at a fixed rate (bench/admission-alerts.ts).
  if (only.has('admission-alerts')) {
    db ??= await openDatabase(bench.config);
    const patients = await benchPatients(db, 1000);
    const seconds = Number(process.env['CAREWEAVE_BENCH_ALERT_SECONDS'] || 30);
    const rate = Number(process.env['CAREWEAVE_BENCH_ALERT_RATE'] || 200);
    run.figures.push(
      ...(await admissionAlertsBenchmark({ kind, db, bench, resources, patients, seconds, rate, log, snapshot })),
    );
  }

  // Population health: scoring the whole population with the risk model (bench/risk.ts).
  if (only.has('risk')) {
    db ??= await openDatabase(bench.config);
    run.figures.push(...(await riskBenchmark({ kind, db, system: platform.resources, resources, log })));
  }

  // Electronic referrals: directory search with waits, and booking slots (bench/referrals.ts).
  if (only.has('referrals')) {
    db ??= await openDatabase(bench.config);
    run.figures.push(...(await referralsBenchmark({ kind, db, resources, log, snapshot })));
  }

  // Referral analytics: the demo history and the commissioner's dashboard (bench/referral-analytics.ts).
  if (only.has('referral-analytics')) {
    db ??= await openDatabase(bench.config);
    run.figures.push(...(await referralAnalyticsBenchmark({ kind, db, resources, log, snapshot })));
  }

  // 4. EXPLAIN ANALYZE of the searches (median and slowest parameters) and of $everything.
  if (only.has('explain')) {
    db ??= await openDatabase(bench.config);
    platform = createPlatform(config, db);
    const queries: { title: string; query: string }[] = [];
    if (sequential.length) {
      for (const { id, result } of sequential) {
        queries.push({ title: `${id}: median request (${result.median.ms} ms over HTTP)`, query: result.median.query });
        if (result.slowest.query !== result.median.query) {
          queries.push({
            title: `${id}: slowest request (${result.slowest.ms} ms over HTTP)`,
            query: result.slowest.query,
          });
        }
      }
    } else {
      for (const search of SEARCHES) {
        queries.push({ title: `search:${search.name}`, query: search.query(rng, sample) });
      }
      queries.push({ title: 'everything', query: EVERYTHING_QUERY });
    }
    const sections = [
      `EXPLAIN (ANALYZE, BUFFERS) on ${run.serverVersion}, ${resources.toLocaleString('en-GB')} resources, ${new Date().toISOString()}`,
      '',
    ];
    for (const { title, query } of queries) {
      log(`${kind}: explain ${title}`);
      sections.push(formatExplained(title, query, await explainFhirQuery(db, platform.resources.options, query)));
    }
    const file = `${ctx.outBase}.explain-${kind}.txt`;
    fs.writeFileSync(file, sections.join('\n'));
    run.explainFile = path.relative(process.cwd(), file);
  }
  await db?.close();
}

async function main(): Promise<void> {
  program.parse(process.argv);
  const options = program.opts<Options>();
  const only = new Set<BenchmarkName>(
    options.only
      ? options.only.split(',').map((name) => {
          const trimmed = name.trim() as BenchmarkName;
          if (!BENCHMARKS.includes(trimmed)) {
            program.error(`--only: unknown benchmark '${trimmed}'; choose from ${BENCHMARKS.join(', ')}`);
          }
          return trimmed;
        })
      : BENCHMARKS,
  );
  only.add('write');
  const adminUrl = process.env['CAREWEAVE_BENCH_POSTGRES_URL'] || DEFAULT_POSTGRES_URL;
  const kinds: BenchDatabaseKind[] = options.database === 'both' ? ['pglite', 'postgres'] : [options.database];

  fs.mkdirSync(options.out, { recursive: true });
  const startedAt = new Date();
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  const outBase = path.join(options.out, stamp);
  const report: BenchReport = {
    startedAt: startedAt.toISOString(),
    command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
    machine: machineInfo(),
    code: codeVersion(PACKAGE_DIR),
    options: { ...options, only: [...only], postgres: kinds.includes('postgres') ? redact(adminUrl) : undefined },
    runs: [],
  };
  log(
    `machine: ${report.machine.cpuModel}, ${report.machine.cores} cores, ${report.machine.memoryGiB} GiB, Node ${report.machine.node}; load average ${os.loadavg()[0]!.toFixed(2)}`,
  );
  let failed = false;
  for (const kind of kinds) {
    const patients = kind === 'pglite' ? (options.pglitePatients ?? options.patients) : options.patients;
    let bench: BenchDatabase | undefined;
    const run: DatabaseRun = { database: kind, description: '', serverVersion: '', patients, figures: [] };
    report.runs.push(run);
    try {
      bench = await createBenchDatabase(kind, adminUrl);
      run.description = bench.description;
      log(`${kind}: ${bench.description}`);
      await runDatabase({ adminUrl, options, only, kind, patients, outBase }, run, bench);
    } catch (error) {
      failed = true;
      run.error = error instanceof Error ? error.message : String(error);
      log(`${kind}: FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    } finally {
      if (bench && !options.keep) {
        await bench.drop().catch((error: unknown) => log(`could not drop ${bench!.description}: ${String(error)}`));
      } else if (bench) {
        log(`kept ${bench.description}`);
      }
    }
    writeReport(report, outBase);
  }
  report.finishedAt = new Date().toISOString();
  writeReport(report, outBase);
  process.stdout.write(`${markdown(report)}\n\nResults: ${path.relative(process.cwd(), `${outBase}.json`)}\n`);
  process.exitCode = failed ? 1 : 0;
}

/** Resident memory of each server process after the HTTP benchmarks (Linux /proc; the issue asks for it). */
function memoryFigure(kind: BenchDatabaseKind, resources: number, servers: readonly ServerProcess[]): Figure {
  const rss = servers.map((server) => {
    const status = fs.readFileSync(`/proc/${server.child.pid}/status`, 'utf8');
    const kib = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? NaN);
    const peak = Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1] ?? NaN);
    return { rssMiB: Math.round(kib / 1024), peakMiB: Math.round(peak / 1024) };
  });
  return {
    id: 'memory',
    benchmark: 'Server process memory after the HTTP benchmarks',
    database: kind,
    resources,
    method: `VmRSS (VmHWM: peak) of each \`careweave start\` process from /proc, read after every HTTP benchmark above ran against it: ${rss.map((r) => `${r.rssMiB} MiB (peak ${r.peakMiB} MiB)`).join(', ')}`,
    details: { servers: rss },
  };
}

function writeReport(report: BenchReport, outBase: string): void {
  fs.writeFileSync(`${outBase}.json`, `${JSON.stringify(report, null, 2)}\n`);
}

function redact(url: string): string {
  try {
    const u = new URL(url);
    u.password = u.password ? '***' : '';
    return u.toString();
  } catch {
    return 'invalid URL';
  }
}

await main();
