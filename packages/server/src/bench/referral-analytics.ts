/**
 * `--only referral-analytics` (issue 13): the commissioner's referral dashboard over the bench's seeded
 * population, through the whole HTTP stack in process (`app.inject`: sign-in, scopes, guard, audit).
 *
 * - **History**: the demo referral history (13 months for every registered patient, about 0.3
 *   referrals a patient a year) written by `seedReferralActivity`; referrals written per second.
 * - **Dashboard**: `GET /api/referrals/analytics/dashboard` for 12 months, all specialties, as a
 *   commissioner (every practice, suppressed), sequential, after warm-up: p50/p95/p99. The issue sets
 *   no target; the figure says what a commissioner waits for the page.
 */
import type { FastifyInstance } from 'fastify';
import { ORGANISATION_TYPE_SYSTEM } from '../access/actor.ts';
import { mintToken } from '../auth/testing/tokens.ts';
import { loadConfig } from '../config/config.ts';
import type { Database } from '../db/database.ts';
import { buildApp, createPlatform, type Platform } from '../http/app.ts';
import { seedReferralActivity } from '../referrals/analytics/history-seed.ts';
import { cpuMsPerOperation, cpuSince, type cpuSnapshot } from './cpu.ts';
import type { BenchDatabaseKind } from './database.ts';
import type { Figure } from './report.ts';
import { Samples, summarize } from './stats.ts';

const WARMUP = 3;
const ITERATIONS = Number(process.env['CAREWEAVE_BENCH_ANALYTICS_ITERATIONS'] || 20);

export interface ReferralAnalyticsBenchDeps {
  kind: BenchDatabaseKind;
  db: Database;
  resources: number;
  log: (message: string) => void;
  snapshot(): ReturnType<typeof cpuSnapshot>;
}

async function commissionerToken(platform: Platform, db: Database): Promise<string> {
  const [ccg] = await db.query<{ id: string }>(
    `select id from search_token where resource_type = 'Organization' and param = 'type' and system = $1
        and code = 'commissioner' order by id limit 1`,
    [ORGANISATION_TYPE_SYSTEM],
  );
  if (!ccg) {
    throw new Error('referral analytics bench: no commissioner organisation in the seeded population');
  }
  const userId = 'bench-analytics-commissioner';
  await db.query(`insert into auth_user (id, username, fhir_user) values ($1, $1, $2) on conflict do nothing`, [
    userId,
    'Practitioner/bench-analytics-commissioner',
  ]);
  return mintToken(
    platform,
    {
      sub: userId,
      client_id: 'careweave-web',
      scope: 'openid fhirUser user/*.cruds',
      fhirUser: `${platform.fhirBase}/Practitioner/bench-analytics-commissioner`,
      role_profile: { organization: ccg.id, role: 'R8012' },
    },
    { expiresIn: 3_600 },
  );
}

export async function referralAnalyticsBenchmark(deps: ReferralAnalyticsBenchDeps): Promise<Figure[]> {
  const { kind, db, log } = deps;
  const config = loadConfig({
    CAREWEAVE_LOG_LEVEL: 'silent',
    CAREWEAVE_DEMO_DATA: 'false',
    CAREWEAVE_BASE_URL: 'http://careweave.bench',
  });
  const platform = createPlatform(config, db);
  const app = await buildApp(platform);
  await app.ready();
  try {
    const started = performance.now();
    const made = await seedReferralActivity({ db, system: platform.resources, core: coreOf(platform) });
    const seconds = (performance.now() - started) / 1000;
    const [{ referrals, versions } = { referrals: 0, versions: 0 }] = await db.query<{
      referrals: number;
      versions: number;
    }>(
      `select (select count(*)::int from resource where resource_type = 'ServiceRequest' and not deleted) as referrals,
              (select count(*)::int from resource_version where id like 'rh-%') as versions`,
    );
    log(`${kind}: referral analytics: ${made || 'history already there'} (${seconds.toFixed(1)} s)`);
    if (kind === 'postgres') {
      await db.query('analyze');
    }
    const token = await commissionerToken(platform, db);
    return [
      ...(made
        ? [
            {
              id: 'referral-history',
              benchmark: 'Demo referral history (ServiceRequest, Task, Appointment; transactions of 1,000)',
              database: kind,
              resources: deps.resources,
              method: `seedReferralActivity over the seeded population: ${made}`,
              throughput: { value: Math.round(versions / seconds), unit: 'resources/s' as const },
              details: { referrals, resourceVersions: versions, seconds: Math.round(seconds * 10) / 10 },
            } satisfies Figure,
          ]
        : []),
      await dashboardFigure(deps, app, token, referrals),
    ];
  } finally {
    await app.close();
  }
}

function coreOf(platform: Platform) {
  return { baseUrl: platform.config.baseUrl, fhirBase: platform.fhirBase, production: false, demoData: false };
}

async function dashboardFigure(
  deps: ReferralAnalyticsBenchDeps,
  app: FastifyInstance,
  token: string,
  referrals: number,
): Promise<Figure> {
  const url = '/api/referrals/analytics/dashboard';
  const get = async (): Promise<number> => {
    const t0 = performance.now();
    const res = await app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
    const ms = performance.now() - t0;
    if (res.statusCode !== 200) {
      throw new Error(`referral analytics: ${res.statusCode} ${res.body.slice(0, 500)}`);
    }
    return ms;
  };
  for (let i = 0; i < WARMUP; i++) {
    await get();
  }
  const samples = new Samples();
  const snap = deps.snapshot();
  for (let i = 0; i < ITERATIONS; i++) {
    samples.push(await get());
  }
  const cpu = cpuSince(snap);
  const latency = summarize(samples.values());
  deps.log(`${deps.kind}: referral analytics dashboard: p50 ${latency.p50Ms} p95 ${latency.p95Ms} ms`);
  return {
    id: 'referral-analytics-dashboard',
    benchmark: `Commissioner's referral dashboard, 12 months, all practices (${referrals.toLocaleString('en-GB')} referrals in the store)`,
    database: deps.kind,
    resources: deps.resources,
    method: `in-process HTTP (app.inject) GET ${url}, commissioner token, sequential, ${ITERATIONS} requests after ${WARMUP} warm-up`,
    latency,
    cpu,
    cpuMsPerOperation: cpuMsPerOperation(cpu, ITERATIONS, false),
  };
}
