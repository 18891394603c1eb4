import { PgBoss, type Queue } from 'pg-boss';
import type { Database, Queryable } from '../db/database.ts';
import { inTransaction, queueConnection } from './driver.ts';

/** One attempt at a job, as a handler sees it. */
export interface RunningJob<T> {
  id: string;
  data: T;
  /** True when a failure now is final: pg-boss will not try again. */
  lastAttempt: boolean;
  /** Aborted when the claim is lost (cancelled, expired) or the queue is stopping. */
  signal: AbortSignal;
}

export interface JobDefinition<T extends object> {
  /** Queue name: letters, digits, `-`, `.`, `_`. */
  name: string;
  /** Retries, expiry, heartbeat: pg-boss queue options. */
  options?: Omit<Queue, 'name'>;
  /** Cron (UTC) on which pg-boss sends this job with empty data, once across all instances. */
  cron?: string;
  handler(job: RunningJob<T>): Promise<void>;
}

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
}

const DEFAULT_RETRY_LIMIT = 2;

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
    const boss = new PgBoss({ ...queueConnection(this.db), useListenNotify: true });
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
      if (definition.cron) {
        await boss.schedule(definition.name, definition.cron, {}, { tz: 'UTC' });
      }
    }
    this.boss = boss;
  }

  private async work(boss: PgBoss, definition: JobDefinition<object>): Promise<void> {
    const polling = this.options.pollingIntervalSeconds ?? 2;
    await boss.work(
      definition.name,
      {
        includeMetadata: true,
        localConcurrency: this.options.concurrency,
        pollingIntervalSeconds: polling,
        // NOTIFY wakes a worker for a new job, but not for a retry coming due, and PostgreSQL folds
        // identical notifications sent in one transaction into one: poll as often as without it,
        // so a waiting job starts within `polling` seconds (admission alerts cannot wait 30 s).
        notifyPollingIntervalSeconds: polling,
      },
      async ([job]) => {
        if (job) {
          await definition.handler({
            id: job.id,
            data: job.data as object,
            lastAttempt: job.retryCount >= job.retryLimit,
            signal: job.signal,
          });
        }
      },
    );
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
