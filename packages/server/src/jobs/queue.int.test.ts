import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgres } from '../db/postgres.ts';
import { createTestDatabase, type TestDatabase } from '../testing/database.ts';
import { JobQueue } from './queue.ts';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface Ping {
  n: number;
}

/** A queue whose `ping` jobs resolve the waiters registered for their `n`. */
function pingQueue(database: TestDatabase['db'], concurrency: number, seen: Map<number, () => void>): JobQueue {
  const queue = new JobQueue(database, { concurrency, pollingIntervalSeconds: 0.5 });
  queue.define<Ping>({ name: 'ping', handler: (job) => Promise.resolve(seen.get(job.data.n)?.()) });
  return queue;
}

function waitFor(seen: Map<number, () => void>, n: number): Promise<void> {
  return new Promise((resolve) => seen.set(n, resolve));
}

describe('job queue (pg-boss)', () => {
  let database: TestDatabase;
  let queue: JobQueue;
  const seen = new Map<number, () => void>();

  beforeAll(async () => {
    database = await createTestDatabase();
    queue = pingQueue(database.db, 1, seen);
    await queue.start();
  });

  afterAll(async () => {
    await queue.stop();
    await database.dispose();
  });

  it('runs a job it was sent', async () => {
    const done = waitFor(seen, 1);
    await queue.send('ping', { n: 1 });
    await done;
  });

  it('enqueues inside a transaction only when it commits', async () => {
    const ran: number[] = [];
    seen.set(2, () => ran.push(2));
    await expect(
      database.db.transaction(async (tx) => {
        await queue.send('ping', { n: 2 }, { tx });
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    const done = waitFor(seen, 3);
    await database.db.transaction((tx) => queue.send('ping', { n: 3 }, { tx }));
    await done;
    expect(ran).toEqual([]);
  });

  it.runIf(process.env.CAREWEAVE_TEST_DATABASE === 'postgres')(
    'is shared: a job sent by an instance that runs none is run by another',
    async () => {
      const other = await openPostgres(database.url!, 2);
      const sender = pingQueue(other, 0, new Map());
      await sender.start();
      try {
        const done = waitFor(seen, 4);
        await sender.send('ping', { n: 4 });
        await done;
      } finally {
        await sender.stop();
        await other.close();
      }
    },
  );

  it('runs a delayed job at its time, after the queue restarts', async () => {
    const ran: { n: number; at: number }[] = [];
    const make = (): JobQueue => {
      const q = new JobQueue(database.db, { concurrency: 1, pollingIntervalSeconds: 0.5 });
      q.define<Ping>({
        name: 'later',
        handler: (job) => Promise.resolve(void ran.push({ n: job.data.n, at: Date.now() })),
      });
      return q;
    };
    const first = make();
    await first.start();
    const startAfter = new Date(Date.now() + 2500);
    await first.sendLater('later', { n: 1 }, { startAfter });
    // Sent twice with one key: the second moves the first (one job, the later data).
    await first.sendLater('later', { n: 2 }, { startAfter, singletonKey: 'reminder:1' });
    await first.sendLater('later', { n: 3 }, { startAfter, singletonKey: 'reminder:1' });
    // Written in a transaction that rolls back: never runs.
    await expect(
      database.db.transaction(async (tx) => {
        await first.sendLater('later', { n: 4 }, { startAfter, tx });
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    await first.stop();
    expect(ran).toEqual([]);

    const second = make();
    await second.start();
    try {
      const until = Date.now() + 20_000;
      while (ran.length < 2 && Date.now() < until) {
        await sleep(100);
      }
      await sleep(1500);
      expect(ran.map((r) => r.n).sort()).toEqual([1, 3]);
      expect(ran.every((r) => r.at >= startAfter.getTime())).toBe(true);
    } finally {
      await second.stop();
    }
  });

  it('takes a batch of jobs at once and retries only the ones its handler says failed', async () => {
    const batches: number[][] = [];
    let failedOnce = false;
    const q = new JobQueue(database.db, { concurrency: 1, pollingIntervalSeconds: 0.5 });
    q.define<Ping>({
      name: 'fan-out',
      options: { retryLimit: 2, retryDelay: 1 },
      batch: {
        size: 10,
        handler: (jobs) => {
          batches.push(jobs.map((job) => job.data.n).sort((a, b) => a - b));
          const seven = jobs.find((job) => job.data.n === 7);
          const failures = new Map<string, Error>();
          if (seven && !failedOnce) {
            failedOnce = true;
            failures.set(seven.id, new Error('the gateway was busy'));
          }
          return Promise.resolve(failures);
        },
      },
    });
    await q.start();
    try {
      await q.sendMany(
        'fan-out',
        Array.from({ length: 10 }, (_, n) => ({ data: { n } })),
      );
      const until = Date.now() + 20_000;
      while (batches.flat().length < 11 && Date.now() < until) {
        await sleep(100);
      }
      await sleep(1500);
      // Ten jobs in one or more batches (never one at a time for all), then 7 alone, retried.
      expect(batches.length).toBeLessThan(10);
      expect(batches.flat().sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 7, 8, 9]);
      expect(batches.at(-1)).toEqual([7]);
    } finally {
      await q.stop();
    }
  });

  it('refuses a schedule that cannot run as written', () => {
    const q = new JobQueue(database.db, { concurrency: 0 });
    const handler = (): Promise<void> => Promise.resolve();
    expect(() => q.define({ name: 'bad', schedule: { cron: '0 9 * *' }, handler })).toThrow(/five fields/);
    expect(() => q.define({ name: 'bad', schedule: { cron: '61 9 * * *' }, handler })).toThrow(/invalid/);
    expect(() => q.define({ name: 'bad', schedule: { cron: '30 1 * * *' }, handler })).toThrow(/clocks change/);
    expect(() => q.define({ name: 'bad', schedule: { cron: '0 9 * * *', tz: 'Europe/Londres' }, handler })).toThrow(
      /invalid/,
    );
    expect(() => q.define({ name: 'ok', schedule: { cron: '30 1 * * *', tz: 'UTC' }, handler })).not.toThrow();
  });

  it(
    'fires a Europe/London schedule once per occurrence across two queues on one database',
    { timeout: 90_000 },
    async () => {
      // `* * * * *` is due as soon as a pass looks (its occurrence is the current minute's start); every
      // pass of either queue finds that same occurrence until the minute ends. Start early in a minute.
      const second = new Date().getSeconds();
      if (second > 40) {
        await sleep((61 - second) * 1000);
      }
      const runs: { queue: string; minute: number }[] = [];
      const scheduled = (queueName: string, db: TestDatabase['db']): JobQueue => {
        const q = new JobQueue(db, { concurrency: 1, pollingIntervalSeconds: 0.5, scheduleIntervalSeconds: 1 });
        q.define({
          name: 'every-minute',
          schedule: { cron: '* * * * *' },
          handler: () => Promise.resolve(void runs.push({ queue: queueName, minute: Math.floor(Date.now() / 60_000) })),
        });
        return q;
      };
      const other = database.url ? await openPostgres(database.url, 2) : undefined;
      const queues = [scheduled('a', database.db), ...(other ? [scheduled('b', other)] : [])];
      await Promise.all(queues.map((q) => q.start()));
      try {
        const until = Date.now() + 30_000;
        while (runs.length === 0 && Date.now() < until) {
          await sleep(100);
        }
        await sleep(5000); // several more passes by each queue, all finding the same occurrence
        expect(runs).toHaveLength(1);
      } finally {
        await Promise.all(queues.map((q) => q.stop()));
        await other?.close();
      }
    },
  );
});
