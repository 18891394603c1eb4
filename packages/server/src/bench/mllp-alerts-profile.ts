/**
 * In-process profile of the admission alert (no TCP, no reaction runner): writes an in-progress
 * inpatient Encounter for each of N seeded patients, then runs the alerts service's reaction work
 * for them — one at a time, or in batches as the reaction does for one claimed batch — and counts per
 * alert the SQL statements and where their time goes, with Node and PostgreSQL CPU. For finding
 * costs, not for the published figures (those are `npm run bench -- --only admission-alerts`).
 *
 *   node src/bench/mllp-alerts-profile.ts postgres://…/careweave_bench_xxxx [alerts] [batch]
 *
 * (`npm run bench -- --database postgres --only admission-alerts --keep` leaves such a database, with
 * the GP accounts and the sharing agreement the alerts are judged with.)
 */
import type { Encounter } from '@medplum/fhirtypes';
import type { AdmissionAlerts } from '../admission-notice/alerts.service.ts';
import { loadConfig } from '../config/config.ts';
import type { Database, Queryable, SqlParam } from '../db/database.ts';
import { openDatabase } from '../db/open.ts';
import { buildApp, createPlatform } from '../http/app.ts';
import { cpuSince, cpuSnapshot } from './cpu.ts';

interface Stat {
  count: number;
  ms: number;
}

const stats = new Map<string, Stat>();
let statements = 0;

function note(sql: string, ms: number): void {
  statements++;
  const key = sql.replace(/\s+/g, ' ').trim().slice(0, 110);
  const stat = stats.get(key) ?? { count: 0, ms: 0 };
  stat.count++;
  stat.ms += ms;
  stats.set(key, stat);
}

function counted(inner: Queryable): Queryable {
  return {
    async query<T>(sql: string, params?: readonly SqlParam[], options?: Parameters<Queryable['query']>[2]) {
      const started = performance.now();
      try {
        return await inner.query<T>(sql, params, options);
      } finally {
        note(sql, performance.now() - started);
      }
    },
    async exec(sql: string) {
      const started = performance.now();
      try {
        await inner.exec(sql);
      } finally {
        note(sql, performance.now() - started);
      }
    },
    async queue(sql: string, params?: readonly SqlParam[], options?: Parameters<Queryable['query']>[2]) {
      note(sql, 0);
      await inner.queue(sql, params, options);
    },
    flush: () => inner.flush(),
    afterCommit: (callback: () => void) => inner.afterCommit(callback),
  };
}

function countingDatabase(db: Database): Database {
  return {
    ...db,
    ...counted(db),
    kind: db.kind,
    native: db.native,
    close: () => db.close(),
    transaction: (work, ...rest) =>
      db.transaction(
        async (tx) => {
          note('begin', 0);
          const result = await work(counted(tx));
          note('commit', 0);
          return result;
        },
        ...rest,
      ),
  };
}

async function main(): Promise<void> {
  const [url, countArg, batchArg] = process.argv.slice(2);
  if (!url) {
    throw new Error('usage: mllp-alerts-profile.ts <postgres url> [alerts] [batch]');
  }
  const count = Number(countArg ?? 200);
  const batch = Number(batchArg ?? 1);
  const config = loadConfig({
    CAREWEAVE_LOG_LEVEL: 'silent',
    CAREWEAVE_DEMO_DATA: 'false',
    CAREWEAVE_PRODUCTION: 'false',
    CAREWEAVE_DATABASE_URL: url,
  });
  const raw = await openDatabase({ kind: 'postgres', url, poolSize: 20 });
  const db = countingDatabase(raw);
  const platform = createPlatform(config, db);
  const app = await buildApp(platform);
  const alerts: AdmissionAlerts = app.modules.use('admission-notice');
  const patients = await raw.query<{ id: string }>(
    `select id from current_resource where resource_type = 'Patient' and not deleted order by id limit $1`,
    [count + 20],
  );
  const run = `prof-${Date.now().toString(36)}`;
  const encounters: (Encounter & { id: string })[] = [];
  for (const [i, { id }] of patients.entries()) {
    const written = await platform.resources.create('Encounter', {
      resourceType: 'Encounter',
      identifier: [{ system: `https://careweave.example/fhir/sid/bench/${run}`, value: String(i) }],
      status: 'in-progress',
      class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'IMP' },
      subject: { reference: `Patient/${id}` },
      period: { start: new Date().toISOString() },
      location: [{ location: { display: 'WARD4, BAY2, BED1' }, status: 'active' }],
    });
    encounters.push(written.resource as Encounter & { id: string });
  }
  const occasion = { event: 'admission', key: 'admission', where: 'WARD4, BAY2, BED1' } as const;
  // Warm-up: plans, caches, JIT.
  for (const encounter of encounters.slice(0, 20)) {
    await alerts.alert(encounter, occasion);
  }
  stats.clear();
  statements = 0;
  const timed = encounters.slice(20);
  const started = performance.now();
  const cpu = process.cpuUsage();
  const snap = cpuSnapshot([], new URL(url).pathname.slice(1));
  let told = 0;
  for (let at = 0; at < timed.length; at += batch) {
    const outcomes = await alerts.alertMany(timed.slice(at, at + batch).map((encounter) => ({ encounter, occasion })));
    told += outcomes.reduce((n, o) => n + (o?.told.length ?? 0), 0);
  }
  const ms = performance.now() - started;
  const used = process.cpuUsage(cpu);
  const use = cpuSince(snap);
  const pgMs = ((use.postgres ?? 0) / 100) * use.seconds * 1000;
  const total = timed.length;
  console.log(
    `${total} alerts in batches of ${batch} (${(told / total).toFixed(1)} told each): ${(ms / total).toFixed(2)} ms/alert wall, node CPU ${((used.user + used.system) / 1000 / total).toFixed(2)} ms/alert, PostgreSQL CPU ${(pgMs / total).toFixed(2)} ms/alert, other ${use.other}%, load ${use.loadAverage1m}, ${(statements / total).toFixed(1)} statements/alert`,
  );
  for (const [sql, stat] of [...stats.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, 40)) {
    console.log(
      `${(stat.count / total).toFixed(2).padStart(6)}/alert ${(stat.ms / total).toFixed(3).padStart(7)} ms/alert  ${sql}`,
    );
  }
  await app.close();
  await raw.close();
}

await main();
