import { PgBoss, type JobWithMetadata, type Queue } from 'pg-boss';
import type { Database, Queryable } from '../db/database.ts';
import { inTransaction, queueConnection } from './driver.ts';
import { checkSchedule, type JobSchedule } from './schedule.ts';

export type { JobSchedule } from './schedule.ts';

/** One attempt at a job, as a handler sees it. */
export interface RunningJob<T> {
  id: string;
  data: T;
  /** True when a failure now is final: pg-boss will not try again. */
  lastAttempt: boolean;
  /** Aborted when the claim is lost (cancelled, expired) or the queue is stopping. */
  signal: AbortSignal;
}

interface JobDefinitionBase {
  /** Queue name: letters, digits, `-`, `.`, `_`. */
  name: string;
  /** Retries, expiry, heartbeat: pg-boss queue options. */
  options?: Omit<Queue, 'name'>;
  /**
   * Sends this job with empty data on a cron schedule read in Europe/London (or `tz`), once per
   * occurrence across every instance on the database, surviving restarts (the schedule is a row in
   * pg-boss's schema; an occurrence missed while every instance was down is skipped).
   */
  schedule?: JobSchedule;
}

/** A job run one at a time: a failure (a throw) is retried by the queue's options. */
interface SingleJobDefinition<T extends object> extends JobDefinitionBase {
  handler(job: RunningJob<T>): Promise<void>;
  batch?: never;
}

/**
 * Jobs taken up to `size` at once, for fan-outs (one transaction for many deliveries instead of one
 * each). The handler says which jobs failed (each retried as a single job's failure would be);
 * throwing fails the whole batch. A worker keeps fetching while batches come back full.
 */
interface BatchJobDefinition<T extends object> extends JobDefinitionBase {
  handler?: never;
  batch: {
    size: number;
    handler(jobs: readonly RunningJob<T>[]): Promise<BatchFailures>;
  };
}

/** The jobs of a batch that failed, by id, with why (an empty map: all completed). */
export type BatchFailures = ReadonlyMap<string, Error>;

export type JobDefinition<T extends object> = SingleJobDefinition<T> | BatchJobDefinition<T>;

/** What the queue logs through (pino's shape, so the app's logger fits). */
export interface QueueLogger {
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

export interface JobQueueOptions {
  /** Jobs of each kind this process runs at once; 0 runs none (an instance that only serves requests). */
  concurrency: number;
  /** Seconds between polls when no notification arrives (tests shorten it). */
  pollingIntervalSeconds?: number;
  /** Seconds between pg-boss's schedule passes (1–45, default 30; tests shorten it). */
  scheduleIntervalSeconds?: number;
}

/** When to run a job sent for later. */
export interface SendLaterOptions {
  startAfter: Date;
  /**
   * At most one waiting job per key in the queue: sending again with the same key moves that job
   * (its time and data) instead of adding another, e.g. `appointment-reminder:Appointment/123`.
   */
  singletonKey?: string;
  /** Written in this transaction: it exists only if the transaction commits. */
  tx?: Queryable;
}

const DEFAULT_RETRY_LIMIT = 2;

function runningJob(job: JobWithMetadata<unknown>): RunningJob<object> {
  return { id: job.id, data: job.data as object, lastAttempt: job.retryCount >= job.retryLimit, signal: job.signal };
}

/**
 * The durable job queue: pg-boss on the platform's own database, so every instance on one
 * PostgreSQL shares the queue (any of them may run a job another one sent), and the embedded
 * database gets the same queue in process. Define jobs, then `start()`; `stop()` waits briefly for
 * running jobs and leaves unfinished ones to be retried.
 */
export class JobQueue {
  private readonly db: Database;
  private readonly options: JobQueueOptions;
  private readonly definitions = new Map<string, JobDefinition<object>>();
  private readonly schedules = new Map<string, Required<JobSchedule>>();
  private boss: PgBoss | undefined;
  private starting: Promise<void> | undefined;

  constructor(db: Database, options: JobQueueOptions) {
    this.db = db;
    this.options = options;
  }

  define<T extends object>(definition: JobDefinition<T>): void {
    if (this.boss) {
      throw new Error(`Job '${definition.name}' must be defined before the queue starts`);
    }
    const { schedule } = definition;
    if (schedule) {
      this.schedules.set(definition.name, checkSchedule(definition.name, schedule));
    }
    this.definitions.set(definition.name, definition);
  }

  get started(): boolean {
    return this.boss !== undefined;
  }

  /** Installs or migrates pg-boss's schema (`pgboss`), creates the queues and starts the workers. */
  start(logger?: QueueLogger): Promise<void> {
    this.starting ??= this.startBoss(logger).catch((error: unknown) => {
      this.starting = undefined;
      throw error;
    });
    return this.starting;
  }

  private async startBoss(logger: QueueLogger | undefined): Promise<void> {
    const interval = this.options.scheduleIntervalSeconds;
    const boss = new PgBoss({
      ...queueConnection(this.db),
      useListenNotify: true,
      ...(interval ? { cronMonitorIntervalSeconds: interval, cronWorkerIntervalSeconds: interval } : {}),
    });
    // An 'error' event without a listener would end the process; pg-boss retries what failed.
    boss.on('error', (error) => logger?.error({ err: error }, 'job queue error'));
    boss.on('warning', (warning) => logger?.warn({ warning }, 'job queue warning'));
    await boss.start();
    for (const definition of this.definitions.values()) {
      await boss.createQueue(definition.name, {
        retryLimit: DEFAULT_RETRY_LIMIT,
        ...definition.options,
        notify: true,
      });
      if (this.options.concurrency > 0) {
        await this.work(boss, definition);
      }
      const schedule = this.schedules.get(definition.name);
      if (schedule) {
        // An upsert of one row per queue: every instance writes the same schedule at start.
        await boss.schedule(definition.name, schedule.cron, {}, { tz: schedule.tz });
      } else {
        // A schedule an earlier release declared and this one does not.
        await boss.unschedule(definition.name);
      }
    }
    this.boss = boss;
  }

  private async work(boss: PgBoss, definition: JobDefinition<object>): Promise<void> {
    const polling = this.options.pollingIntervalSeconds ?? 2;
    const options = {
      includeMetadata: true,
      localConcurrency: this.options.concurrency,
      pollingIntervalSeconds: polling,
      // NOTIFY wakes a worker for a new job, but not for a retry coming due, and PostgreSQL folds
      // identical notifications sent in one transaction into one: poll as often as without it,
      // so a waiting job starts within `polling` seconds (admission alerts cannot wait 30 s).
      notifyPollingIntervalSeconds: polling,
      // Without this a worker that has just finished a job waits out the polling interval before
      // fetching the next, even with a backlog (at most one job per worker per interval): keep
      // fetching while pg-boss's count of ready jobs says there are more.
      burstWhenReadyExceeds: 1,
    } as const;
    if (definition.batch) {
      const { batch } = definition;
      await boss.work(
        definition.name,
        // A full batch means more are waiting: fetch again at once instead of after the interval.
        { ...options, batchSize: batch.size, burstWhenBatchFull: true, perJobResults: true },
        async (jobs) => {
          const failures = await batch.handler(jobs.map(runningJob));
          return jobs.map((job) => {
            const failure = failures.get(job.id);
            return failure
              ? { id: job.id, status: 'failed' as const, output: { message: failure.message } }
              : { id: job.id, status: 'completed' as const };
          });
        },
      );
      return;
    }
    await boss.work(definition.name, options, async ([job]) => {
      if (job) {
        await definition.handler(runningJob(job));
      }
    });
  }

  /** Stops polling, waits up to `timeoutMs` for running jobs, closes pg-boss's connections. */
  async stop(timeoutMs = 10_000): Promise<void> {
    await this.starting?.catch(() => undefined);
    const boss = this.boss;
    this.boss = undefined;
    this.starting = undefined;
    await boss?.stop({ graceful: true, timeout: timeoutMs });
  }

  /**
   * Sends a job. With `tx` it is written in that transaction: it exists only if the transaction
   * commits, so a job never refers to rows that were rolled back.
   */
  async send(name: string, data: object, options: { id?: string; tx?: Queryable } = {}): Promise<string> {
    const boss = await this.running();
    const id = await boss.send(name, data, {
      ...(options.id ? { id: options.id } : {}),
      ...(options.tx ? { db: inTransaction(options.tx) } : {}),
    });
    if (!id) {
      throw new Error(`Job '${name}' was not queued`);
    }
    return id;
  }

  /**
   * Sends a job to run at `startAfter` (or as soon after as a worker is free), durably: it survives
   * restarts and runs once on whichever instance takes it. With `singletonKey` there is at most
   * one waiting job per key, and a second call moves it (time and data) rather than adding one.
   * Returns the job's id.
   */
  async sendLater(name: string, data: object, options: SendLaterOptions): Promise<string> {
    const boss = await this.running();
    const db = options.tx ? { db: inTransaction(options.tx) } : {};
    if (options.singletonKey === undefined) {
      const id = await boss.send(name, data, { startAfter: options.startAfter, ...db });
      if (!id) {
        throw new Error(`Job '${name}' was not queued`);
      }
      return id;
    }
    const { jobs } = await boss.upsert(name, data, {
      singletonKey: options.singletonKey,
      startAfter: options.startAfter,
      ...db,
    });
    if (!jobs[0]) {
      throw new Error(`Job '${name}' (${options.singletonKey}) was not queued`);
    }
    return jobs[0];
  }

  /**
   * Sends many jobs of one kind in one statement (in `tx` when given): each may wait until
   * `startAfter`, and on a queue whose policy enforces it (`exclusive`) a `singletonKey` that already
   * has a waiting or running job is skipped.
   */
  async sendMany(
    name: string,
    jobs: readonly { data: object; startAfter?: Date; singletonKey?: string }[],
    options: { tx?: Queryable } = {},
  ): Promise<void> {
    if (!jobs.length) {
      return;
    }
    const boss = await this.running();
    await boss.insert(
      name,
      jobs.map((job) => ({
        data: job.data,
        ...(job.startAfter ? { startAfter: job.startAfter } : {}),
        ...(job.singletonKey ? { singletonKey: job.singletonKey } : {}),
      })),
      options.tx ? { db: inTransaction(options.tx) } : {},
    );
  }

  /** Cancels a job that has not finished; a running attempt sees its signal aborted at its next heartbeat. */
  async cancel(name: string, id: string): Promise<void> {
    const boss = await this.running();
    await boss.cancel(name, id);
  }

  private async running(): Promise<PgBoss> {
    await this.starting;
    if (!this.boss) {
      throw new Error('The job queue is not running');
    }
    return this.boss;
  }
}
