/**
 * `--only notifications` (issue 9): notification fan-out. 10,000 notifications (one per seeded
 * patient in turn, to that patient's GP, who wants results by text at once) are sent through the
 * notifications service and delivered through the loopback SMS gateway; the clock stops when every
 * text is `sent`. On PostgreSQL two app instances share the database and the work (each sends half
 * and both run the delivery jobs); the benchmark then checks that no text was sent twice.
 * `CAREWEAVE_BENCH_NOTIFICATIONS` changes the count.
 */
import type { Patient, PractitionerRole } from '@medplum/fhirtypes';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../config/config.ts';
import type { Database } from '../db/database.ts';
import { openDatabase } from '../db/open.ts';
import { buildApp, createPlatform } from '../http/app.ts';
import type { NotificationService } from '../notifications/index.ts';
import type { BenchDatabase, BenchDatabaseKind } from './database.ts';
import type { Figure } from './report.ts';

const TARGET_SECONDS = 20;
const TARGET_COUNT = 10_000;
/** notifyMany calls in flight per instance, and notifications in each. */
const IN_FLIGHT = 4;
const BATCH = 250;
const JOB_CONCURRENCY = '16';

interface Pair {
  recipient: string;
  subject: string;
}

function parse<T>(content: unknown): T {
  return (typeof content === 'string' ? JSON.parse(content) : content) as T;
}

/**
 * GPs of the seeded practices (PractitionerRole `doctor`), given accounts, a role profile at their
 * practice and a preference for results by text; each notification goes to a GP of the patient's
 * practice.
 */
async function recipients(db: Database, count: number): Promise<Pair[]> {
  const roles = await db.query<{ content: unknown }>(
    `select content from current_resource where resource_type = 'PractitionerRole' and not deleted`,
  );
  const gpsByPractice = new Map<string, string[]>();
  for (const { content } of roles) {
    const role = parse<PractitionerRole>(content);
    const doctor = role.code?.some((c) => c.coding?.some((x) => x.code === 'doctor'));
    const org = role.organization?.reference;
    const who = role.practitioner?.reference;
    if (doctor && org && who && role.active !== false) {
      gpsByPractice.set(org, [...(gpsByPractice.get(org) ?? []), who]);
    }
  }
  const patients = await db.query<{ content: unknown }>(
    `select content from current_resource where resource_type = 'Patient' and not deleted order by id limit 5000`,
  );
  const candidates: Pair[] = [];
  for (const { content } of patients) {
    const patient = parse<Patient>(content);
    const gps = gpsByPractice.get(patient.generalPractitioner?.[0]?.reference ?? '');
    if (gps?.length && !patient.deceasedBoolean && !patient.deceasedDateTime) {
      candidates.push({ recipient: gps[candidates.length % gps.length]!, subject: `Patient/${patient.id}` });
    }
  }
  if (!candidates.length) {
    throw new Error('notifications bench: no seeded patient has a GP with a PractitionerRole');
  }
  const gps = [...new Set(candidates.map((c) => c.recipient))];
  for (const [n, gp] of gps.entries()) {
    const userId = `bench-gp-${n}`;
    const practice = [...gpsByPractice.entries()]
      .find(([, list]) => list.includes(gp))![0]
      .slice('Organization/'.length);
    await benchGpAccount(db, userId, gp, practice);
    await db.query(
      `insert into notification_preference (recipient, kinds, phone) values ($1, $2::jsonb, $3)
       on conflict (recipient) do nothing`,
      [
        gp,
        JSON.stringify({ result: { channels: ['inbox', 'sms'], delivery: 'immediate' } }),
        `+447700900${String(n % 1000).padStart(3, '0')}`,
      ],
    );
  }
  return Array.from({ length: count }, (_, i) => candidates[i % candidates.length]!);
}

/** A sign-in account for a seeded GP with a role profile at their practice: notifications need one. */
export async function benchGpAccount(db: Database, userId: string, gp: string, practiceId: string): Promise<void> {
  await db.query(`insert into auth_user (id, username, fhir_user) values ($1, $1, $2) on conflict do nothing`, [
    userId,
    gp,
  ]);
  await db.query(
    `insert into auth_role_profile (id, user_id, organization_id, role_code) values ($1, $2, $3, 'R8000')
     on conflict do nothing`,
    [`profile-${userId}`, userId, practiceId],
  );
}

/** Sends `pairs` as fan-outs of BATCH (notifyMany), IN_FLIGHT at a time. */
async function sendAll(service: NotificationService, pairs: readonly Pair[], refused: { n: number }): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < pairs.length) {
      const batch = pairs.slice(next, next + BATCH);
      next += BATCH;
      const outcomes = await service.notifyMany(
        batch.map(({ recipient, subject }) => ({
          kind: 'result',
          category: 'result' as const,
          priority: 'urgent' as const,
          recipient,
          subject,
          title: 'New result',
          text: 'A new result has been filed for your patient.',
        })),
      );
      refused.n += outcomes.filter((o) => o.status === 'refused').length;
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
}

/**
 * Waits until `expected` texts about `referenceLike` (SQL LIKE), queued since `since`, have been handed
 * to the gateway (`sent`), or `timeoutMs` has passed; returns how many were.
 */
export async function waitForSentTexts(
  db: Database,
  options: { since: Date; referenceLike: string; expected: number; timeoutMs: number },
): Promise<number> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const [row] = await db.query<{ n: string | number }>(
      `select count(*) as n from sms_message where direction = 'out' and status = 'sent' and created_at >= $1
          and reference like $2`,
      [options.since, options.referenceLike],
    );
    const sent = Number(row?.n ?? 0);
    if (sent >= options.expected || Date.now() >= deadline) {
      return sent;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export interface NotificationsBenchDeps {
  kind: BenchDatabaseKind;
  /** The bench's open connection to the scratch database (the first instance's, on PostgreSQL). */
  db: Database;
  bench: BenchDatabase;
  resources: number;
  log: (message: string) => void;
}

export async function notificationsBenchmark(deps: NotificationsBenchDeps): Promise<Figure[]> {
  const { kind, db, log } = deps;
  const count = Number(process.env['CAREWEAVE_BENCH_NOTIFICATIONS'] ?? TARGET_COUNT);
  const config = loadConfig({
    CAREWEAVE_LOG_LEVEL: 'silent',
    CAREWEAVE_DEMO_DATA: 'false',
    CAREWEAVE_JOB_CONCURRENCY: JOB_CONCURRENCY,
  });
  const second = kind === 'postgres' ? await openDatabase(deps.bench.config) : undefined;
  const apps: FastifyInstance[] = [];
  try {
    for (const instanceDb of second ? [db, second] : [db]) {
      const app = await buildApp(createPlatform(config, instanceDb));
      await app.ready();
      apps.push(app);
    }
    // After the apps are built: that is when the module's tables are made.
    const pairs = await recipients(db, count);
    log(
      `${kind}: notifications: ${count} to ${new Set(pairs.map((p) => p.recipient)).size} GPs, ${apps.length} instance(s)`,
    );
    const since = new Date(Date.now() - 1000);
    const refused = { n: 0 };
    const started = performance.now();
    const share = Math.ceil(pairs.length / apps.length);
    await Promise.all(
      apps.map((app, i) => sendAll(app.modules.use('notifications'), pairs.slice(i * share, (i + 1) * share), refused)),
    );
    const queuedSeconds = (performance.now() - started) / 1000;
    log(`${kind}: notifications queued in ${queuedSeconds.toFixed(1)} s (${refused.n} refused)`);
    const expected = count - refused.n;
    const sent = await waitForSentTexts(db, {
      since,
      referenceLike: 'Communication/%',
      expected,
      timeoutMs: 600_000,
    });
    const seconds = (performance.now() - started) / 1000;
    const [dup] = await db.query<{ n: string | number }>(
      `select count(*) as n from (select reference from sms_message where direction = 'out' and created_at >= $1
          and reference like 'Communication/%' group by reference having count(*) > 1) d`,
      [since],
    );
    const duplicates = Number(dup?.n ?? 0);
    log(`${kind}: notifications: ${sent}/${expected} texts sent in ${seconds.toFixed(1)} s, ${duplicates} duplicated`);
    if (duplicates > 0) {
      throw new Error(`notifications bench: ${duplicates} notifications were texted more than once`);
    }
    return [
      {
        id: 'notifications',
        benchmark: `Notification fan-out: ${count.toLocaleString('en-GB')} notifications → inbox + loopback SMS`,
        database: kind,
        resources: deps.resources,
        method: `in-process notifyMany() in fan-outs of ${BATCH} on ${apps.length} app instance(s), ${IN_FLIGHT} in flight each; job concurrency ${JOB_CONCURRENCY} per instance; clock from the first notify to the last text sent`,
        throughput: { value: Math.round(sent / seconds), unit: 'messages/s' },
        target: {
          text: `${TARGET_COUNT.toLocaleString('en-GB')} delivered ≤ ${TARGET_SECONDS} s, none twice (2 instances, PostgreSQL)`,
          met:
            kind === 'postgres' && count >= TARGET_COUNT
              ? sent >= expected && seconds * (TARGET_COUNT / count) <= TARGET_SECONDS && duplicates === 0
              : null,
        },
        details: { count, refused: refused.n, sent, duplicates, queuedSeconds, seconds, instances: apps.length },
      },
    ];
  } finally {
    for (const app of apps) {
      await app.close();
    }
    await second?.close();
  }
}
