/**
 * `--only telehealth` (issue 11), two figures with two app instances on one database:
 *
 * - **Inbound texts**: replies from enrolled patients POSTed to the GOV.UK Notify inbound callback
 *   (`/webhooks/sms/notify`, bearer token) of either instance over HTTP, as Notify would: each is
 *   stored, read, recorded (Observations, Communications), judged by the COPD protocol, answered
 *   (reply queued) and — one in ten, a red reading — escalated (Flag, Task, inbox notification), all in
 *   the webhook's transaction, so the webhook's answer is the moment the alert is in the inbox.
 * - **A round of prompts**: `CAREWEAVE_BENCH_PROMPTS` (default 100,000) enrolments due at once, sent
 *   by the every-minute job's code on instance A with instance B helping, handed to the loopback
 *   gateway by the SMS send jobs of both; the clock stops when every text is `sent`; none may go twice.
 */
import type { CarePlan, Patient, PractitionerRole } from '@medplum/fhirtypes';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../config/config.ts';
import type { Database } from '../db/database.ts';
import { openDatabase } from '../db/open.ts';
import type { ResourceService } from '../fhir/store/resource.service.ts';
import { mobileOf } from '../gateways/sms/index.ts';
import { buildApp, createPlatform } from '../http/app.ts';
import { AGREEMENT_EXTENSION } from '../telehealth/enrolment/careplan.ts';
import type { TelehealthService } from '../telehealth/telehealth.service.ts';
import { cpuMsPerOperation, cpuSince, type cpuSnapshot } from './cpu.ts';
import type { BenchDatabase, BenchDatabaseKind } from './database.ts';
import { benchGpAccount, waitForSentTexts } from './notifications.ts';
import type { Figure } from './report.ts';
import { Samples, summarize } from './stats.ts';

const TOKEN = 'bench-notify-callback-token';
const INBOUND_TARGET = 1_000;
const ALERT_P95_TARGET_MS = 1_000;
const PROMPTS_TARGET = 100_000;
const PROMPTS_TARGET_SECONDS = 120;
const IN_FLIGHT = 32;
const JOB_CONCURRENCY = '8';

export interface TelehealthBenchDeps {
  kind: BenchDatabaseKind;
  db: Database;
  bench: BenchDatabase;
  resources: number;
  log: (message: string) => void;
  snapshot(): ReturnType<typeof cpuSnapshot>;
}

function parse<T>(content: unknown): T {
  return (typeof content === 'string' ? JSON.parse(content) : content) as T;
}

/** Seeded patients, each with a GP of their practice (the CarePlan's author, who is alerted). */
async function patientsWithGps(db: Database, count: number): Promise<{ patient: string; gp: string }[]> {
  const roles = await db.query<{ content: unknown }>(
    `select content from current_resource where resource_type = 'PractitionerRole' and not deleted`,
  );
  const gpOf = new Map<string, string>();
  for (const { content } of roles) {
    const role = parse<PractitionerRole>(content);
    const org = role.organization?.reference;
    const who = role.practitioner?.reference;
    if (org && who && role.code?.some((c) => c.coding?.some((x) => x.code === 'doctor')) && !gpOf.has(org)) {
      gpOf.set(org, who);
      await benchGpAccount(db, `bench-th-gp-${gpOf.size}`, who, org.slice('Organization/'.length));
    }
  }
  const patients = await db.query<{ id: string; content: unknown }>(
    `select id, content from current_resource where resource_type = 'Patient' and not deleted order by id limit $1`,
    [count],
  );
  // Only patients a telehealth plan can be written for (the module's write check wants a UK mobile).
  return patients.flatMap(({ id, content }) => {
    const patient = parse<Patient>(content);
    const gp = gpOf.get(patient.generalPractitioner?.[0]?.reference ?? '');
    return gp && mobileOf(patient.telecom) ? [{ patient: id, gp }] : [];
  });
}

/**
 * Patients enrolled on COPD v1 as the module enrols them: a CarePlan each (by their GP, started a
 * month ago, so no welcome text), enrolled with the mobile in their record, then set to await the
 * oximetry question. Returns their phones.
 */
async function enrolForReplies(
  system: ResourceService,
  telehealth: TelehealthService,
  db: Database,
  count: number,
): Promise<string[]> {
  const people = (await patientsWithGps(db, 5000)).slice(0, count);
  const started = new Date(Date.now() - 30 * 86_400_000).toISOString();
  const plans = people.map(({ patient, gp }, n): CarePlan => ({
    resourceType: 'CarePlan',
    id: `bench-th-1-${n}`,
    status: 'active',
    intent: 'plan',
    instantiatesCanonical: ['https://careweave.example/fhir/PlanDefinition/telehealth-copd|1'],
    subject: { reference: `Patient/${patient}` },
    author: { reference: gp },
    period: { start: started },
    extension: [{ url: AGREEMENT_EXTENSION, valueDateTime: started }],
  }));
  for (let at = 0; at < plans.length; at += 500) {
    await system.writeMany(plans.slice(at, at + 500).map((resource) => ({ resource, method: 'update' as const })));
  }
  for (const plan of plans) {
    await telehealth.enrolFromPlan(plan);
  }
  const now = new Date();
  const rows = await db.query<{ phone: string }>(
    `update telehealth_enrolment set awaiting = $1::jsonb
      where care_plan_id like 'bench-th-1-%' and status = 'active' returning phone`,
    [JSON.stringify({ promptId: 'oximetry', roundAt: now, sentAt: now, roundScores: {} })],
  );
  return [...new Set(rows.map((row) => row.phone))];
}

/**
 * A round's worth of enrolments due now, straight into the module's table (no CarePlans: a prompt
 * needs none), each with its own phone. Returns how many.
 */
async function enrolDue(db: Database, count: number): Promise<number> {
  const people = await patientsWithGps(db, 5000);
  await db.query(
    `insert into telehealth_enrolment (care_plan_id, patient_id, protocol_id, protocol_version, phone, status,
       started_at, next_prompt_at)
     select 'bench-th-2-' || (n - 1), ($2::text[])[1 + (n - 1) % cardinality($2::text[])], 'copd', 1,
            '+44772' || lpad((n - 1)::text, 7, '0'), 'active', now() - interval '1 day', now() - interval '1 minute'
       from generate_series(1, $1::int) as n`,
    [count, people.map((p) => p.patient)],
  );
  return count;
}

interface Instances {
  apps: FastifyInstance[];
  /** The first instance's unrestricted record (the bench writes the CarePlans as the system). */
  system: ResourceService;
  close(): Promise<void>;
}

async function twoInstances(deps: TelehealthBenchDeps): Promise<Instances> {
  const config = loadConfig({
    CAREWEAVE_LOG_LEVEL: 'silent',
    CAREWEAVE_DEMO_DATA: 'false',
    CAREWEAVE_JOB_CONCURRENCY: JOB_CONCURRENCY,
    CAREWEAVE_NOTIFY_CALLBACK_TOKEN: TOKEN,
  });
  const second = deps.kind === 'postgres' ? await openDatabase(deps.bench.config) : undefined;
  const apps: FastifyInstance[] = [];
  const platforms = [];
  for (const db of second ? [deps.db, second] : [deps.db]) {
    const platform = createPlatform(config, db);
    const app = await buildApp(platform);
    await app.listen({ port: 0, host: '127.0.0.1' });
    apps.push(app);
    platforms.push(platform);
  }
  return {
    apps,
    system: platforms[0]!.resources,
    close: async () => {
      for (const app of apps) {
        await app.close();
      }
      await second?.close();
    },
  };
}

function urlOf(app: FastifyInstance): string {
  const address = app.server.address();
  return typeof address === 'object' && address ? `http://127.0.0.1:${address.port}` : '';
}

/** Replies from every phone (a reading, then "no" to the second question), IN_FLIGHT at a time. */
async function sendReplies(
  urls: string[],
  phones: string[],
): Promise<{ all: Samples; red: Samples; failed: number; messages: number }> {
  const all = new Samples();
  const red = new Samples();
  let failed = 0;
  let messages = 0;
  let next = 0;
  const post = async (url: string, id: string, from: string, body: string): Promise<number> => {
    const started = performance.now();
    const response = await fetch(`${url}/webhooks/sms/notify`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ id, source_number: from, destination_number: '07700900000', message: body }),
    });
    await response.arrayBuffer();
    messages++;
    failed += response.ok ? 0 : 1;
    const ms = performance.now() - started;
    all.push(ms);
    return ms;
  };
  const worker = async (): Promise<void> => {
    while (next < phones.length) {
      const n = next++;
      const url = urls[n % urls.length]!;
      const isRed = n % 10 === 0;
      const ms = await post(url, `in-${n}-a`, phones[n]!, isRed ? 'sats 86% pulse 80' : 'sats 95 pulse 80');
      if (isRed) {
        red.push(ms);
      }
      await post(url, `in-${n}-b`, phones[n]!, 'no');
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  return { all, red, failed, messages };
}

async function inboundFigure(deps: TelehealthBenchDeps, { apps, system }: Instances): Promise<Figure> {
  const count = Number(process.env['CAREWEAVE_BENCH_INBOUND_PATIENTS'] ?? 2000);
  const phones = await enrolForReplies(system, apps[0]!.modules.use('telehealth'), deps.db, count);
  deps.log(
    `${deps.kind}: telehealth inbound: ${phones.length} enrolled phones, two replies each, ${apps.length} instance(s)`,
  );
  const snap = deps.snapshot();
  const started = performance.now();
  const result = await sendReplies(apps.map(urlOf), phones);
  const seconds = (performance.now() - started) / 1000;
  const cpu = cpuSince(snap);
  const [alerts] = await deps.db.query<{ n: string | number }>(
    `select count(*) as n from notification where kind = 'telehealth-alert' and status = 'sent'`,
  );
  const refusals = await deps.db.query<{ reason: string; n: string | number }>(
    `select reason, count(*) as n from notification where kind = 'telehealth-alert' and status = 'refused' group by reason`,
  );
  if (refusals.length) {
    deps.log(`${deps.kind}: telehealth inbound: alerts refused: ${JSON.stringify(refusals)}`);
  }
  const [readings] = await deps.db.query<{ n: string | number }>(
    `select count(*) as n from current_resource where resource_type = 'Observation' and not deleted
        and content::text like '%bench-th-1-%'`,
  );
  const rate = Math.round(result.messages / seconds);
  const redLatency = summarize(result.red.values());
  deps.log(
    `${deps.kind}: telehealth inbound: ${result.messages} texts in ${seconds.toFixed(1)} s = ${rate}/s, ${result.failed} failed; ` +
      `${Number(alerts?.n ?? 0)} alerts in inboxes, ${Number(readings?.n ?? 0)} readings; red p95 ${redLatency.p95Ms} ms`,
  );
  return {
    id: 'telehealth-inbound',
    benchmark: 'Telehealth: inbound texts (webhook → parse → store → rule → reply queued)',
    database: deps.kind,
    resources: deps.resources,
    method:
      `GOV.UK Notify inbound callbacks over HTTP to ${apps.length} in-process app instance(s), ${IN_FLIGHT} in flight; ` +
      `${phones.length} COPD enrolments, each replying a reading (1 in 10 red: Flag, Task, inbox notification) then "no"; ` +
      'latency: webhook answered (the alert committed in its transaction); p95 of the red ones is webhook → alert in the inbox',
    throughput: { value: rate, unit: 'messages/s' },
    latency: summarize(result.all.values()),
    target: {
      text: `≥ ${INBOUND_TARGET.toLocaleString('en-GB')} messages/s; red: webhook → inbox p95 ≤ ${ALERT_P95_TARGET_MS} ms`,
      met: deps.kind === 'postgres' ? rate >= INBOUND_TARGET && redLatency.p95Ms <= ALERT_P95_TARGET_MS : null,
    },
    cpu,
    cpuMsPerOperation: cpuMsPerOperation(cpu, result.messages, true),
    details: {
      messages: result.messages,
      failed: result.failed,
      seconds,
      redLatency,
      alerts: Number(alerts?.n ?? 0),
      readings: Number(readings?.n ?? 0),
    },
  };
}

async function promptsFigure(deps: TelehealthBenchDeps, { apps }: Instances): Promise<Figure> {
  const count = Number(process.env['CAREWEAVE_BENCH_PROMPTS'] ?? PROMPTS_TARGET);
  const since = new Date(Date.now() - 1000);
  await enrolDue(deps.db, count);
  deps.log(`${deps.kind}: telehealth prompts: ${count} due, ${apps.length} instance(s)`);
  const services = apps.map((app) => app.modules.use('telehealth'));
  const snap = deps.snapshot();
  const started = performance.now();
  const helpers: Promise<number>[] = [];
  const help = (): Promise<void> => {
    const other = services[1];
    if (other) {
      helpers.push(other.sendAllDue(() => Promise.resolve()));
    }
    return Promise.resolve();
  };
  const claimed = (await services[0]!.sendAllDue(help)) + (await Promise.all(helpers)).reduce((a, b) => a + b, 0);
  const queuedSeconds = (performance.now() - started) / 1000;
  deps.log(`${deps.kind}: telehealth prompts: ${claimed} claimed and queued in ${queuedSeconds.toFixed(1)} s`);
  const sent = await waitForSentTexts(deps.db, {
    since,
    referenceLike: 'CarePlan/bench-th-2-%',
    expected: count,
    timeoutMs: 900_000,
  });
  const seconds = (performance.now() - started) / 1000;
  const cpu = cpuSince(snap);
  const [dup] = await deps.db.query<{ n: string | number }>(
    `select count(*) as n from (select phone from sms_message where direction = 'out' and created_at >= $1
        and reference like 'CarePlan/bench-th-2-%' group by phone having count(*) > 1) d`,
    [since],
  );
  const duplicates = Number(dup?.n ?? 0);
  deps.log(
    `${deps.kind}: telehealth prompts: ${sent}/${count} sent in ${seconds.toFixed(1)} s, ${duplicates} duplicated`,
  );
  return {
    id: 'telehealth-prompts',
    benchmark: `Telehealth: a round of ${count.toLocaleString('en-GB')} prompts through the loopback gateway`,
    database: deps.kind,
    resources: deps.resources,
    method:
      `${count} COPD enrolments due at once; sendAllDue (the every-minute job) on instance A, instance B helping; ` +
      `batches of 500 per transaction (claim skip locked, texts queued, Communications written, enrolments saved); SMS ` +
      `send jobs (batches of 25) on ${apps.length} instance(s) × ${JOB_CONCURRENCY} workers; clock to the last text sent`,
    throughput: { value: Math.round(sent / seconds), unit: 'messages/s' },
    target: {
      text: `${PROMPTS_TARGET.toLocaleString('en-GB')} sent ≤ ${PROMPTS_TARGET_SECONDS} s, none twice (2 instances)`,
      met:
        deps.kind === 'postgres' && count >= PROMPTS_TARGET
          ? sent >= count && seconds <= PROMPTS_TARGET_SECONDS && duplicates === 0
          : null,
    },
    cpu,
    cpuMsPerOperation: cpuMsPerOperation(cpu, sent, true),
    details: { count, claimed, sent, duplicates, queuedSeconds, seconds },
  };
}

export async function telehealthBenchmark(deps: TelehealthBenchDeps): Promise<Figure[]> {
  const instances = await twoInstances(deps);
  try {
    return [await inboundFigure(deps, instances), await promptsFigure(deps, instances)];
  } finally {
    await instances.close();
  }
}
