/**
 * `npm run bench -- --only events`: how long after a write commits its domain-event reaction starts
 * (docs/EVENTS.md), with two app instances on one PostgreSQL database (one on PGlite, which one
 * process owns). Writes go through instance A only; a reaction registered on both records
 * `Date.now()` when it starts, so the figure includes the outbox drain, the NOTIFY to every
 * instance and the claim, whichever instance runs it.
 */
import type { Encounter } from '@medplum/fhirtypes';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config/config.ts';
import type { Database } from '../db/database.ts';
import { openDatabase } from '../db/open.ts';
import type { Reaction } from '../events/bus.ts';
import { buildApp, createPlatform, type Platform } from '../http/app.ts';
import type { BenchDatabase, BenchDatabaseKind } from './database.ts';
import { cpuSince, type cpuSnapshot } from './cpu.ts';
import type { Figure, Target } from './report.ts';
import { summarize } from './stats.ts';

const EVENTS = 1000;
const TARGET_P95_MS = 200;
const SYSTEM = 'urn:careweave:bench:events';

interface Instance {
  name: string;
  platform: Platform;
  app: FastifyInstance;
  /** Opened here (closed here); the caller's database otherwise. */
  own?: Database;
}

export interface EventsBenchOptions {
  kind: BenchDatabaseKind;
  config: Config;
  /** The caller's open database (instance A). */
  db: Database;
  bench: BenchDatabase;
  resources: number;
  log(line: string): void;
  /** CPU use from here (the bench process is both instances; see bench/cpu.ts). */
  snapshot: () => ReturnType<typeof cpuSnapshot>;
}

/** Two figures: writes one at a time, then eight in flight. */
export async function eventsBenchmark(options: EventsBenchOptions): Promise<Figure[]> {
  const started = new Map<string, { at: number; instance: string }>();
  const reaction = (instance: string): Reaction => ({
    name: 'bench-events-latency',
    types: ['Encounter'],
    interactions: ['create'],
    filter: (resource) => (resource as Encounter).identifier?.[0]?.system === SYSTEM,
    handle: (event) => {
      started.set(event.resourceId, { at: Date.now(), instance });
      return Promise.resolve();
    },
  });
  const instances: Instance[] = [await instance('A', options, options.db)];
  if (options.kind === 'postgres') {
    const own = await openDatabase(options.bench.config);
    instances.push({ ...(await instance('B', options, own)), own });
  }
  instances.forEach((i) => i.platform.events.register(reaction(i.name)));
  try {
    await Promise.all(instances.map((i) => i.app.ready()));
    const figures: Figure[] = [];
    for (const inFlight of [1, 8]) {
      options.log(`${options.kind}: events, ${EVENTS} writes through A, ${inFlight} in flight`);
      started.clear();
      const snap = options.snapshot();
      const writing = performance.now();
      const committed = await write(instances[0]!.platform, inFlight);
      const writeSeconds = (performance.now() - writing) / 1000;
      await waitUntil(() => started.size >= EVENTS, 120_000);
      const allRunSeconds = (performance.now() - writing) / 1000;
      const latencies = [...committed].map(([id, at]) => started.get(id)!.at - at);
      const byInstance = Object.fromEntries(
        instances.map((i) => [i.name, [...started.values()].filter((s) => s.instance === i.name).length]),
      );
      const latency = summarize(latencies);
      figures.push({
        id: `events-${inFlight}`,
        benchmark: `Domain events: commit → reaction start, ${instances.length} instance(s)`,
        database: options.kind,
        resources: options.resources,
        method:
          `${EVENTS} Encounters created in-process through instance A (${inFlight} in flight); ` +
          'latency from the write returning (committed) to the reaction handler starting, on either instance',
        latency,
        cpu: cpuSince(snap),
        target: target(options.kind, latency.p95Ms),
        details: {
          reactionsRunBy: byInstance,
          writesPerSecond: Math.round(EVENTS / writeSeconds),
          allReactionsStartedAfterSeconds: Math.round(allRunSeconds * 100) / 100,
        },
      });
    }
    return figures;
  } finally {
    for (const i of instances) {
      await i.app.close();
      await i.own?.close();
    }
  }
}

async function instance(name: string, options: EventsBenchOptions, db: Database): Promise<Instance> {
  // No care modules: only the core's outbox, dispatcher and reaction runner.
  const platform = createPlatform(options.config, db, []);
  return { name, platform, app: await buildApp(platform) };
}

/** Writes EVENTS Encounters, `inFlight` at a time; returns when each committed, by id. */
async function write(platform: Platform, inFlight: number): Promise<Map<string, number>> {
  const committed = new Map<string, number>();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < EVENTS) {
      const n = next++;
      const { resource } = await platform.resources.create('Encounter', {
        resourceType: 'Encounter',
        status: 'in-progress',
        class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' },
        identifier: [{ system: SYSTEM, value: `${Date.now()}-${n}` }],
      });
      committed.set(resource.id!, Date.now());
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  return committed;
}

async function waitUntil(check: () => boolean, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) {
      throw new Error('events benchmark: reactions did not all run within 120 s');
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function target(kind: BenchDatabaseKind, p95: number): Target {
  const text = `p95 ≤ ${TARGET_P95_MS} ms, two instances on PostgreSQL`;
  return kind === 'postgres'
    ? { text, met: p95 <= TARGET_P95_MS }
    : { text, met: null, note: 'one instance on PGlite' };
}
