/**
 * `--only referrals` (issue 13), three figures on one database, through the whole HTTP stack in process
 * (`app.inject`: sign-in, scopes, access policy, audit):
 *
 * - **Service search with waits**: `GET /api/referrals/services?specialty=msk&patient=…` over
 *   `CAREWEAVE_BENCH_REFERRAL_SERVICES` (default 100) services of one specialty with 1,000 slots each
 *   (100,000 slots), sequential; target p95 ≤ 50 ms.
 * - **Booking**: `POST Appointment` naming a free slot, `CAREWEAVE_BENCH_BOOKINGS` (default 2,000)
 *   different slots, each attempted once, 32 in flight: the booking throughput the target is about
 *   (≥ 500 bookings/s on PostgreSQL), every attempt checked to be a 201 holding its slot.
 * - **Booking under races**: `CAREWEAVE_BENCH_RACED_BOOKINGS` (default 1,000) other slots, each attempted
 *   twice back to back (so the two race), 32 in flight: exactly one booking per slot (any double
 *   booking fails the run); half the attempts are refusals, so its bookings/s is about half the above.
 *
 * `CAREWEAVE_BENCH_PROFILE=<folder>` writes a CPU profile of each booking step there (bench/profile.ts).
 */
import type { Patient } from '@medplum/fhirtypes';
import type { FastifyInstance } from 'fastify';
import { testSystemToken } from '../auth/testing/tokens.ts';
import { loadConfig } from '../config/config.ts';
import type { Database } from '../db/database.ts';
import { buildApp, createPlatform } from '../http/app.ts';
import { seedDirectory, SITES, type ServiceDef } from '../referrals/directory/seed.ts';
import { cpuMsPerOperation, cpuSince, type cpuSnapshot } from './cpu.ts';
import { profiled } from './profile.ts';
import type { BenchDatabaseKind } from './database.ts';
import type { Figure } from './report.ts';
import { Samples, summarize } from './stats.ts';

const SEARCH_P95_TARGET_MS = 50;
const BOOKINGS_TARGET = 500;
const IN_FLIGHT = 32;
const SEARCH_WARMUP = 20;
const SEARCH_ITERATIONS = 300;
const PATIENT_ID = 'bench-referrals-patient';

export interface ReferralsBenchDeps {
  kind: BenchDatabaseKind;
  db: Database;
  resources: number;
  log: (message: string) => void;
  snapshot(): ReturnType<typeof cpuSnapshot>;
}

/** `count` MSK services, each with 1,000 slots (20 weeks of weekdays, 10 a day), waits from 0 to 150 days. */
function benchServices(count: number): ServiceDef[] {
  return Array.from({ length: count }, (_, n) => ({
    id: `hs-bench-${String(n).padStart(3, '0')}`,
    name: `Bench MSK service ${n}`,
    specialty: 'msk',
    clinicType: n % 10 === 0 ? 'referral-assessment' : 'community-physiotherapy',
    site: SITES[n % SITES.length]!.id,
    rules: { directlyBookable: true, triage: n % 10 === 0, minAge: n % 3 === 0 ? 18 : undefined },
    waitDays: (n * 37) % 150,
    perDay: 10,
    minutes: 20,
  }));
}

export async function referralsBenchmark(deps: ReferralsBenchDeps): Promise<Figure[]> {
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
    const count = Number(process.env['CAREWEAVE_BENCH_REFERRAL_SERVICES'] || 100);
    const started = Date.now();
    const written = await seedDirectory(platform.resources, {
      now: new Date(),
      weeks: 20,
      services: benchServices(count),
    });
    log(
      `${kind}: referrals: ${written} directory resources written in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    await platform.resources.update('Patient', PATIENT_ID, {
      resourceType: 'Patient',
      id: PATIENT_ID,
      birthDate: '1960-05-01',
      address: [{ use: 'home', postalCode: 'L39 2AT' }],
    } satisfies Patient);
    if (kind === 'postgres') {
      // As autovacuum would after 100,000 new Slots (a server may run with it off, as CI's does).
      await db.query('vacuum analyze');
    }
    const token = await testSystemToken(platform);
    const [{ slots } = { slots: 0 }] = await db.query<{ slots: number }>(
      "select count(*)::int as slots from resource where resource_type = 'Slot' and not deleted",
    );
    const search = await searchFigure(deps, app, token, count, slots);
    const free = await deps.db.query<FreeSlot>(
      'select slot_id, start_at, end_at from referrals_free_slot where start_at > now() order by slot_id limit $1',
      [
        Number(process.env['CAREWEAVE_BENCH_BOOKINGS'] || 2_000) +
          Number(process.env['CAREWEAVE_BENCH_RACED_BOOKINGS'] || 1_000),
      ],
    );
    const distinct = free.slice(0, Number(process.env['CAREWEAVE_BENCH_BOOKINGS'] || 2_000));
    const raced = free.slice(distinct.length);
    return [
      search,
      await bookingFigure(deps, app, token, { slots, free: distinct, attemptsPerSlot: 1 }),
      await bookingFigure(deps, app, token, { slots, free: raced, attemptsPerSlot: 2 }),
    ];
  } finally {
    await app.close();
  }
}

async function searchFigure(
  deps: ReferralsBenchDeps,
  app: FastifyInstance,
  token: string,
  services: number,
  slots: number,
): Promise<Figure> {
  const url = `/api/referrals/services?specialty=msk&patient=${PATIENT_ID}&limit=20`;
  const get = async (): Promise<number> => {
    const t0 = performance.now();
    const res = await app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
    const ms = performance.now() - t0;
    if (res.statusCode !== 200) {
      throw new Error(`referrals search: ${res.statusCode} ${res.body}`);
    }
    return ms;
  };
  for (let i = 0; i < SEARCH_WARMUP; i++) {
    await get();
  }
  const samples = new Samples();
  const snap = deps.snapshot();
  for (let i = 0; i < SEARCH_ITERATIONS; i++) {
    samples.push(await get());
  }
  const cpu = cpuSince(snap);
  const latency = summarize(samples.values());
  deps.log(`${deps.kind}: referrals search: p50 ${latency.p50Ms} p95 ${latency.p95Ms} p99 ${latency.p99Ms} ms`);
  return {
    id: 'referrals-search',
    benchmark: `Directory search with waits and distances (${services} services, ${slots.toLocaleString('en-GB')} slots)`,
    database: deps.kind,
    resources: deps.resources,
    method: `in-process HTTP (app.inject) GET ${url}, system client, sequential, ${SEARCH_ITERATIONS} requests after ${SEARCH_WARMUP} warm-up`,
    latency,
    target: { text: `p95 ≤ ${SEARCH_P95_TARGET_MS} ms`, met: latency.p95Ms <= SEARCH_P95_TARGET_MS },
    cpu,
    cpuMsPerOperation: cpuMsPerOperation(cpu, SEARCH_ITERATIONS, false),
  };
}

interface FreeSlot {
  slot_id: string;
  start_at: Date | string;
  end_at: Date | string;
}

/**
 * Books `free` slots with `attemptsPerSlot` attempts each (2: one after the other in the queue, so with
 * 32 in flight the two race each other); fails the run unless every slot has exactly one booking.
 */
async function bookingFigure(
  deps: ReferralsBenchDeps,
  app: FastifyInstance,
  token: string,
  run: { slots: number; free: readonly FreeSlot[]; attemptsPerSlot: 1 | 2 },
): Promise<Figure> {
  const { free, attemptsPerSlot } = run;
  const raced = attemptsPerSlot > 1;
  const attempts = free.flatMap((slot) => Array.from({ length: attemptsPerSlot }, () => slot));
  const statuses = new Map<number, number>();
  const winners = new Map<string, number>();
  let next = 0;
  const snap = deps.snapshot();
  const t0 = performance.now();
  const worker = async (): Promise<void> => {
    while (next < attempts.length) {
      const slot = attempts[next++]!;
      const res = await app.inject({
        method: 'POST',
        url: '/fhir/R4/Appointment',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/fhir+json' },
        payload: {
          resourceType: 'Appointment',
          status: 'booked',
          start: new Date(slot.start_at).toISOString(),
          end: new Date(slot.end_at).toISOString(),
          slot: [{ reference: `Slot/${slot.slot_id}` }],
          participant: [{ actor: { reference: `Patient/${PATIENT_ID}` }, status: 'accepted' }],
        },
      });
      statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
      if (res.statusCode === 201) {
        winners.set(slot.slot_id, (winners.get(slot.slot_id) ?? 0) + 1);
      }
    }
  };
  const { eventLoop } = await profiled(`referrals-booking${raced ? '-raced' : ''}`, () =>
    Promise.all(Array.from({ length: IN_FLIGHT }, worker)),
  );
  const seconds = (performance.now() - t0) / 1000;
  const cpu = cpuSince(snap);
  const booked = statuses.get(201) ?? 0;
  const refused = statuses.get(409) ?? 0;
  const doubleBooked = [...winners.values()].filter((n) => n > 1).length;
  const [held] = await deps.db.query<{ held: number }>(
    'select count(*)::int as held from referrals_slot_holder where slot_id = any($1::text[])',
    [free.map((s) => s.slot_id)],
  );
  if (doubleBooked || booked !== free.length || booked + refused !== attempts.length || held?.held !== free.length) {
    throw new Error(
      `referrals booking: ${booked} bookings of ${free.length} slots, ${doubleBooked} double, ${held?.held} held: ${JSON.stringify([...statuses])}`,
    );
  }
  const perSecond = Math.round(booked / seconds);
  deps.log(
    `${deps.kind}: referrals booking${raced ? ' (raced)' : ''}: ${booked} bookings (+${refused} refused) in ${seconds.toFixed(1)} s = ${perSecond}/s, event loop ${Math.round(eventLoop * 100)} % busy`,
  );
  return {
    id: raced ? 'referrals-booking-raced' : 'referrals-booking',
    benchmark: raced
      ? `Booking a slot by POST Appointment, every slot raced by two attempts (${run.slots.toLocaleString('en-GB')} slots)`
      : `Booking a slot by POST Appointment (${run.slots.toLocaleString('en-GB')} slots)`,
    database: deps.kind,
    resources: deps.resources,
    method: raced
      ? `in-process HTTP (app.inject), ${IN_FLIGHT} in flight, ${free.length} slots each attempted twice back to back; bookings/s counts the 201s, CPU ms per attempt`
      : `in-process HTTP (app.inject), ${IN_FLIGHT} in flight, ${free.length} different slots each attempted once; CPU ms per booking`,
    throughput: { value: perSecond, unit: 'requests/s' },
    target:
      deps.kind === 'postgres'
        ? { text: `≥ ${BOOKINGS_TARGET} bookings/s, none double`, met: perSecond >= BOOKINGS_TARGET }
        : { text: `≥ ${BOOKINGS_TARGET} bookings/s (stated for PostgreSQL)`, met: null },
    cpu,
    cpuMsPerOperation: cpuMsPerOperation(cpu, attempts.length, false),
    details: {
      attempts: attempts.length,
      booked,
      refused: Object.fromEntries(statuses),
      doubleBooked,
      seconds,
      eventLoopUtilisation: Number(eventLoop.toFixed(2)),
    },
  };
}
