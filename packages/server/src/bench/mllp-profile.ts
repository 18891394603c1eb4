/**
 * In-process profile of HL7 v2 ADT intake (no TCP): runs the benchmark's message stream through
 * `Hl7Intake` against a seeded PostgreSQL database and counts, per message, the SQL statements and
 * round trips and where their time goes. For finding costs, not for the published figures (those are
 * `npm run bench -- --only mllp`, over TCP to a server process).
 *
 *   LANES=2 MAX_BATCH=16 node src/bench/mllp-profile.ts postgres://…/careweave_bench_xxxx [messages] [concurrency]
 *
 * (`npm run bench -- --database postgres --only mllp --keep` leaves such a database.)
 */
import { loadConfig } from '../config/config.ts';
import type { Database, Queryable, SqlParam } from '../db/database.ts';
import { openDatabase } from '../db/open.ts';
import { adtHandler } from '../hl7v2/adt.ts';
import { Hl7Intake } from '../hl7v2/intake.ts';
import { Hl7HandlerRegistry } from '../hl7v2/registry.ts';
import { createPlatform } from '../http/app.ts';
import { cpuSince, cpuSnapshot } from './cpu.ts';
import { benchMessage, benchPatients } from './mllp.ts';

interface Stat {
  count: number;
  ms: number;
}

const stats = new Map<string, Stat>();
let statements = 0;
let dump = false;

function shape(sql: string): string {
  return sql.replace(/\s+/g, ' ').trim().slice(0, 110);
}

function counted(inner: Queryable): Queryable {
  return {
    async query<T>(sql: string, params?: readonly SqlParam[], options?: Parameters<Queryable['query']>[2]) {
      const started = performance.now();
      if (dump) {
        console.log('---', sql, JSON.stringify(params)?.slice(0, 400), JSON.stringify(options ?? {}));
      }
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

function note(sql: string, ms: number): void {
  statements++;
  const key = shape(sql);
  const stat = stats.get(key) ?? { count: 0, ms: 0 };
  stat.count++;
  stat.ms += ms;
  stats.set(key, stat);
}

function countingDatabase(db: Database): Database {
  return {
    ...db,
    ...counted(db),
    kind: db.kind,
    native: db.native,
    close: () => db.close(),
    transaction: (work) =>
      db.transaction(async (tx) => {
        note('begin', 0);
        const result = await work(counted(tx));
        note('commit', 0);
        return result;
      }),
  };
}

async function main(): Promise<void> {
  const [url, messageArg, concurrencyArg] = process.argv.slice(2);
  if (!url) {
    throw new Error('usage: mllp-profile.ts <postgres url> [messages] [concurrency]');
  }
  const messages = Number(messageArg ?? 600);
  const concurrency = Number(concurrencyArg ?? 1);
  const config = loadConfig({
    CAREWEAVE_LOG_LEVEL: 'silent',
    CAREWEAVE_DEMO_DATA: 'false',
    CAREWEAVE_PRODUCTION: 'false',
  });
  const raw = await openDatabase({ kind: 'postgres', url, poolSize: 20 });
  const db = countingDatabase(raw);
  const platform = createPlatform(config, db);
  const registry = new Hl7HandlerRegistry();
  registry.register('ADT', adtHandler);
  const intake = new Hl7Intake({
    db,
    resources: platform.resources,
    accessFor: (actor) => platform.accessFor(actor),
    config: config.hl7v2,
    production: false,
    registry,
    groupCommit: {
      ...(process.env.LANES ? { lanes: Number(process.env.LANES) } : {}),
      ...(process.env.MAX_BATCH ? { maxBatch: Number(process.env.MAX_BATCH) } : {}),
    },
  });
  const patients = await benchPatients(raw, 1000);
  const run = `prof-${Date.now().toString(36)}`;
  // Warm-up: plans, caches, JIT.
  for (let i = 0; i < 60; i++) {
    await intake.receive(benchMessage(`${run}w`, 0, i, patients));
  }
  stats.clear();
  statements = 0;
  const perWorker = Math.ceil(messages / concurrency / 3) * 3;
  const started = performance.now();
  const cpu = process.cpuUsage();
  const snap = cpuSnapshot([], new URL(url).pathname.slice(1));
  await Promise.all(
    Array.from({ length: concurrency }, async (_, c) => {
      for (let i = 0; i < perWorker; i++) {
        const result = await intake.receive(benchMessage(run, c, i, patients));
        if (result.ackCode !== 'AA') {
          throw new Error(`not AA: ${result.ack}`);
        }
      }
    }),
  );
  const total = perWorker * concurrency;
  if (process.env.PROFILE_DUMP) {
    dump = true;
    await intake.receive(benchMessage(run, 99, 0, patients));
    await intake.receive(benchMessage(run, 99, 1, patients));
    dump = false;
  }
  const ms = performance.now() - started;
  const used = process.cpuUsage(cpu);
  const use = cpuSince(snap);
  const pgMs = ((use.postgres ?? 0) / 100) * use.seconds * 1000;
  console.log(
    `${total} messages, ${concurrency} concurrent: ${(ms / total).toFixed(2)} ms/message wall, ${(total / (ms / 1000)).toFixed(0)}/s, node CPU ${((used.user + used.system) / 1000 / total).toFixed(2)} ms/message, PostgreSQL CPU ${(pgMs / total).toFixed(2)} ms/message, other ${use.other}%, ${(statements / total).toFixed(1)} statements/message`,
  );
  const rows = [...stats.entries()].sort((a, b) => b[1].ms - a[1].ms);
  for (const [sql, stat] of rows) {
    console.log(
      `${(stat.count / total).toFixed(2).padStart(6)}/msg ${(stat.ms / total).toFixed(3).padStart(7)} ms/msg  ${sql}`,
    );
  }
  await raw.close();
}

await main();
