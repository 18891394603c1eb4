/**
 * `--only mllp`: HL7 v2 ADT intake over MLLP against a `careweave start` process, as a hospital's
 * integration engine would drive it: each connection sends a message, waits for its ACK, sends the
 * next. Every visit gets A01 (admit), A08 (update) and A03 (discharge), in order on its connection;
 * patients are seeded ones, named by NHS number. The ACK is sent only once the message and its
 * Encounter are committed, so the time from sending to the ACK bounds message → Encounter committed.
 */
import type { Patient } from '@medplum/fhirtypes';
import type { Database } from '../db/database.ts';
import { NHS_NUMBER_SYSTEM } from '../fhir/validation/nhs-number.ts';
import { MllpClient, readAck } from '../hl7v2/testing/mllp-client.ts';
import { freePort, startServerProcess } from '../testing/server-process.ts';
import { cpuMsPerOperation, cpuSince, type cpuSnapshot } from './cpu.ts';
import type { Figure } from './report.ts';
import { Samples, summarize, type LatencySummary } from './stats.ts';

/** The seeded acute trust (seed/reference-data.ts), MSH-4 of every message. */
export const BENCH_FACILITY = 'RVY';
const EVENTS = ['A01', 'A08', 'A03'] as const;

export interface MllpRunResult {
  connections: number;
  /** Unacknowledged messages in flight per connection (1: send, wait for the ACK, send the next). */
  window: number;
  messages: number;
  seconds: number;
  messagesPerSecond: number;
  /** Send → ACK (after commit), ms. */
  latency: LatencySummary;
  /** Messages not answered AA. */
  notAccepted: number;
  visits: number;
}

export interface BenchPatient {
  nhsNumber: string;
  birthDate?: string;
}

/** Seeded patients with an NHS number, to be named in PID-3. */
export async function benchPatients(db: Database, count: number): Promise<BenchPatient[]> {
  const rows = await db.query<{ content: string | Patient }>(
    `select content from current_resource where resource_type = 'Patient' and not deleted limit $1`,
    [count],
  );
  return rows.flatMap((row) => {
    const patient = (typeof row.content === 'string' ? JSON.parse(row.content) : row.content) as Patient;
    const nhsNumber = patient.identifier?.find((i) => i.system === NHS_NUMBER_SYSTEM)?.value;
    return nhsNumber ? [{ nhsNumber, ...(patient.birthDate ? { birthDate: patient.birthDate } : {}) }] : [];
  });
}

function hl7Time(date: Date): string {
  return `${date.toISOString().slice(0, 19).replace(/[-:T]/g, '')}+0000`;
}

/** One ADT message of the benchmark's stream. */
export function benchMessage(run: string, connection: number, index: number, patients: BenchPatient[]): string {
  const visitIndex = Math.floor(index / EVENTS.length);
  const event = EVENTS[index % EVENTS.length]!;
  const patient = patients[(connection * 7919 + visitIndex) % patients.length]!;
  const visit = `${run}-${connection}-${visitIndex}`;
  const now = new Date();
  const admitted = hl7Time(new Date(now.getTime() - 3_600_000));
  const pv1 = new Array<string>(46).fill('');
  pv1[0] = 'PV1';
  pv1[1] = '1';
  pv1[2] = 'I';
  pv1[3] = event === 'A08' ? 'WARD7^BAY1^BED4' : 'WARD4^BAY2^BED1';
  pv1[19] = visit;
  pv1[44] = admitted;
  pv1[45] = event === 'A03' ? hl7Time(now) : '';
  return [
    `MSH|^~\\&|PAS|${BENCH_FACILITY}|CAREWEAVE|CW|${hl7Time(now)}||ADT^${event}^ADT_A01|${visit}-${event}|P|2.5.1`,
    `EVN|${event}|${hl7Time(now)}`,
    `PID|1||${patient.nhsNumber}^^^NHS^NH||Bench^Patient||${(patient.birthDate ?? '').replaceAll('-', '')}|U`,
    pv1.join('|').replace(/\|+$/, ''),
  ].join('\r');
}

/**
 * Sends `messages` messages over `connections` connections and measures throughput and send → ACK
 * latency. `window` 1 (the default) is the usual integration engine: each connection waits for an
 * ACK before sending the next; a larger window keeps that many unacknowledged messages in flight per
 * connection, as an engine with windowing does. Messages are split evenly; visits never span
 * connections, and a visit's events are sent in order.
 */
export async function runMllp(
  port: number,
  options: { run: string; connections: number; messages: number; patients: BenchPatient[]; window?: number },
): Promise<MllpRunResult> {
  const perConnection = Math.ceil(options.messages / options.connections / EVENTS.length) * EVENTS.length;
  const window = Math.max(1, options.window ?? 1);
  const clients = await Promise.all(Array.from({ length: options.connections }, () => MllpClient.connect(port)));
  const samples = new Samples();
  let notAccepted = 0;
  const started = performance.now();
  const sendOne = async (client: MllpClient, message: string): Promise<void> => {
    const sent = performance.now();
    const ack = await client.send(message);
    samples.push(performance.now() - sent);
    if (readAck(ack).code !== 'AA') {
      notAccepted++;
    }
  };
  try {
    await Promise.all(
      clients.map(async (client, c) => {
        const inFlight = new Set<Promise<void>>();
        for (let i = 0; i < perConnection; i++) {
          const sending = sendOne(client, benchMessage(options.run, c, i, options.patients));
          inFlight.add(sending);
          void sending.finally(() => inFlight.delete(sending));
          if (inFlight.size >= window) {
            await Promise.race(inFlight);
          }
        }
        await Promise.all(inFlight);
      }),
    );
  } finally {
    await Promise.all(clients.map((client) => client.close()));
  }
  const seconds = (performance.now() - started) / 1000;
  const messages = perConnection * options.connections;
  return {
    connections: options.connections,
    window,
    messages,
    seconds: Math.round(seconds * 100) / 100,
    messagesPerSecond: Math.round(messages / seconds),
    latency: summarize(samples.values()),
    notAccepted,
    visits: messages / EVENTS.length,
  };
}

/** Encounters of the benchmark's visits in the database (every visit must have made exactly one). */
export async function benchEncounters(db: Database, run: string): Promise<number> {
  const [row] = await db.query<{ n: number | string }>(
    `select count(distinct id) as n from search_token
      where resource_type = 'Encounter' and param = 'identifier' and code like $1`,
    [`${run}-%`],
  );
  return Number(row?.n ?? 0);
}

export interface MllpBenchmarkDeps {
  kind: 'pglite' | 'postgres';
  /** Resources in the database, for the figures. */
  resources: number;
  /** Environment of the server process (its database). */
  serverEnv: Record<string, string>;
  patients: BenchPatient[];
  messages: number;
  connections: number;
  /** > 1: also both runs again with this many unacknowledged messages in flight per connection. */
  window: number;
  waitForIdle(): Promise<void>;
  log(message: string): void;
  snapshot(pids: number[]): ReturnType<typeof cpuSnapshot>;
}

/** One timed run: connections, and messages in flight on each. */
interface RunShape {
  connections: number;
  window: number;
}

function describeShape({ connections, window }: RunShape): string {
  const plural = connections > 1 ? 's' : '';
  return window > 1 ? `${connections} connection${plural}, window ${window}` : `${connections} connection${plural}`;
}

/**
 * The figures: one connection, then several, each waiting for every ACK; then the same with a window
 * when asked. Each run is checked to have answered AA throughout (and, by the caller, to have made
 * one Encounter per visit).
 */
export async function mllpBenchmark(deps: MllpBenchmarkDeps): Promise<(Figure & { run: string; visits: number })[]> {
  const { kind } = deps;
  const port = await freePort();
  const stamp = Date.now().toString(36);
  deps.log(`${kind}: starting a server process with an MLLP listener on port ${port}`);
  const server = await startServerProcess({
    ...deps.serverEnv,
    ...(kind === 'pglite' ? { CAREWEAVE_DATABASE_URL: '' } : {}),
    CAREWEAVE_DEMO_DATA: 'false',
    CAREWEAVE_LOG_LEVEL: 'warn',
    CAREWEAVE_PRODUCTION: 'false',
    CAREWEAVE_MLLP_PORT: String(port),
  });
  const connections = [...new Set([1, deps.connections])];
  const shapes: RunShape[] = [
    ...connections.map((c) => ({ connections: c, window: 1 })),
    ...(deps.window > 1 ? connections.map((c) => ({ connections: c, window: deps.window })) : []),
  ];
  const figures: (Figure & { run: string; visits: number })[] = [];
  try {
    await runMllp(port, { run: `warm-${stamp}`, connections: 1, messages: 150, patients: deps.patients });
    for (const shape of shapes) {
      figures.push(
        await timedRun(deps, port, shape, `c${shape.connections}w${shape.window}-${stamp}`, server.child.pid),
      );
    }
  } finally {
    await server.stop();
  }
  return figures;
}

async function timedRun(
  deps: MllpBenchmarkDeps,
  port: number,
  shape: RunShape,
  run: string,
  serverPid: number | undefined,
): Promise<Figure & { run: string; visits: number }> {
  const { kind } = deps;
  const label = describeShape(shape);
  await deps.waitForIdle();
  deps.log(`${kind}: MLLP ADT intake, ${deps.messages} messages over ${label}`);
  const snap = deps.snapshot(serverPid ? [serverPid] : []);
  const result = await runMllp(port, { run, ...shape, messages: deps.messages, patients: deps.patients });
  const cpu = cpuSince(snap);
  if (result.notAccepted) {
    throw new Error(`MLLP: ${result.notAccepted} of ${result.messages} messages were not answered AA`);
  }
  const sending =
    shape.window > 1
      ? `each keeping ${shape.window} messages in flight (a sender with a window)`
      : 'each sending one message and waiting for its ACK';
  deps.log(
    `${kind}: MLLP ${label}: ${result.messagesPerSecond} messages/s; message → Encounter committed (send → ACK) p50 ${result.latency.p50Ms} p95 ${result.latency.p95Ms} p99 ${result.latency.p99Ms} ms`,
  );
  return {
    id: `mllp-${shape.connections}${shape.window > 1 ? `-w${shape.window}` : ''}`,
    run,
    visits: result.visits,
    benchmark: `MLLP ADT intake, ${label}`,
    database: kind,
    resources: deps.resources,
    method: `TCP to a server process, ${shape.connections} connection(s) ${sending}; ${result.messages} messages (A01, A08, A03 per visit, ${result.visits} visits of seeded patients); latency (p95 = message → Encounter committed): send → ACK, which is sent after the message and its Encounter are committed`,
    throughput: { value: result.messagesPerSecond, unit: 'messages/s' },
    latency: result.latency,
    target:
      kind === 'postgres'
        ? { text: '≥ 1,000 messages/s (PostgreSQL)', met: result.messagesPerSecond >= 1000 }
        : { text: '≥ 1,000 messages/s (PostgreSQL)', met: null, note: 'target is for PostgreSQL' },
    cpu,
    cpuMsPerOperation: cpuMsPerOperation(cpu, result.messages, false),
    details: { ...result },
  };
}
