import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgres } from '../db/postgres.ts';
import { createTestDatabase, type TestDatabase } from '../testing/database.ts';
import { JobQueue } from './queue.ts';

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
});
