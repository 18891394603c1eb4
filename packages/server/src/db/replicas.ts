import type { Database, Queryable, QueryOptions, SqlParam } from './database.ts';
import { isConnectionLost } from './errors.ts';
import { openPostgres } from './postgres.ts';

export interface ReplicaSettings {
  urls: readonly string[];
  poolSize: number;
  statementTimeoutMs?: number;
  /** A replica further behind the primary than this (WAL bytes) serves no reads until it catches up. */
  maxLagBytes: number;
  /** A replica behind the primary that has replayed nothing for this long serves no reads (paused, cut off). */
  maxLagMs: number;
  /** How often each instance checks its replicas' health and position. */
  checkIntervalMs: number;
}

interface Replica {
  url: string;
  db?: Database;
  healthy: boolean;
  /** WAL position the replica had replayed at its last check (it only grows): a safe lower bound. */
  replayed: bigint;
  /** When a check first found it behind the primary without having replayed anything since the last. */
  stuckSince?: number;
  lastError?: string;
}

/** The fence every caller's reads respect: the last write that changed access facts. */
const ACCESS_FENCE = '*access';

type Logger = { warn(obj: unknown, msg?: string): void; info(obj: unknown, msg?: string): void };

/** `16/B374D848` as a number of bytes. */
export function parseLsn(lsn: string): bigint {
  const [high = '0', low = '0'] = lsn.split('/');
  return (BigInt(`0x${high}`) << 32n) + BigInt(`0x${low}`);
}

/**
 * Routes read-only requests to PostgreSQL streaming replicas (`CAREWEAVE_DATABASE_REPLICA_URLS`),
 * docs/DEPLOYMENT.md *Read replicas*:
 * - **Read-your-writes**: every write request records the primary's WAL position for its caller in
 *   `replica_read_fence` (on the primary, before the answer is sent, so every instance sees it); a
 *   caller's read goes to a replica only once that replica has replayed past it.
 * - **Lag and failure**: each instance checks its replicas every `checkIntervalMs`; one that cannot
 *   be reached, is no longer a standby, or is more than `maxLagBytes` behind serves nothing until it
 *   is back. A replica query that fails because its connection is lost is run again on the primary.
 * - **Audit**: the replica cannot be written; the read's audit rows go to the primary (the caller's
 *   access is wrapped in src/http/app.ts).
 * Health is per instance (memory); correctness (read-your-writes) is on the primary.
 */
export class ReplicaRouter {
  private readonly replicas: Replica[];
  private timer?: NodeJS.Timeout;
  private next = 0;
  private log?: Logger;
  private readonly primary: Database;
  private readonly settings: ReplicaSettings;

  constructor(primary: Database, settings: ReplicaSettings) {
    this.primary = primary;
    this.settings = settings;
    this.replicas = settings.urls.map((url) => ({ url, healthy: false, replayed: 0n }));
  }

  async start(log?: Logger): Promise<void> {
    this.log = log;
    await this.check();
    this.timer = setInterval(() => void this.check(), this.settings.checkIntervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await Promise.all(this.replicas.map(async (replica) => replica.db?.close().catch(() => undefined)));
  }

  /** Each replica's state, for the health endpoint and tests. */
  status(): { url: string; healthy: boolean; replayed: string; error?: string }[] {
    return this.replicas.map((r) => ({
      url: r.url.replace(/\/\/[^@/]*@/, '//'),
      healthy: r.healthy,
      replayed: r.replayed.toString(),
      ...(r.lastError ? { error: r.lastError } : {}),
    }));
  }

  /**
   * Records that `caller` wrote (after the write committed): their reads wait for a replica that has
   * replayed this far. A write that may change who sees what (consent, relationships, labels) also
   * moves the fence every caller's reads wait for, so nobody reads through an access decision the
   * primary has already withdrawn.
   */
  async fenceWrite(caller: string, changesAccess: boolean): Promise<void> {
    await this.primary.query(
      `insert into replica_read_fence (caller, lsn)
       select c, pg_current_wal_insert_lsn() from unnest($1::text[]) as c
       on conflict (caller) do update set lsn = excluded.lsn, written_at = now()`,
      [changesAccess ? [caller, ACCESS_FENCE] : [caller]],
    );
  }

  /**
   * Where `caller`'s read should run: a healthy replica that has replayed their last write, or
   * undefined for the primary.
   */
  async readerFor(caller: string): Promise<Queryable | undefined> {
    if (!this.replicas.some((r) => r.healthy)) {
      return undefined;
    }
    const [fence] = await this.primary.query<{ lsn: string | null }>(
      'select max(lsn)::text as lsn from replica_read_fence where caller = any($1::text[])',
      [[caller, ACCESS_FENCE]],
    );
    const needed = fence?.lsn ? parseLsn(fence.lsn) : 0n;
    for (let i = 0; i < this.replicas.length; i++) {
      const replica = this.replicas[(this.next + i) % this.replicas.length]!;
      if (!replica.healthy || !replica.db) {
        continue;
      }
      if (replica.replayed < needed && !(await this.caughtUp(replica, needed))) {
        continue;
      }
      this.next = (this.next + i + 1) % this.replicas.length;
      return this.reader(replica);
    }
    return undefined;
  }

  private async caughtUp(replica: Replica, needed: bigint): Promise<boolean> {
    try {
      const [row] = await replica.db!.query<{ lsn: string | null }>('select pg_last_wal_replay_lsn()::text as lsn');
      replica.replayed = row?.lsn ? parseLsn(row.lsn) : replica.replayed;
      return replica.replayed >= needed;
    } catch (error) {
      this.markDown(replica, error);
      return false;
    }
  }

  /** The replica's queries; one whose connection is lost is marked down and run on the primary. */
  private reader(replica: Replica): Queryable {
    const { primary } = this;
    const fallBack = <T>(error: unknown, run: () => Promise<T>): Promise<T> => {
      if (!isConnectionLost(error)) {
        throw error;
      }
      this.markDown(replica, error);
      return run();
    };
    return {
      query: <T>(sql: string, params?: readonly SqlParam[], options?: QueryOptions) =>
        replica
          .db!.query<T>(sql, params, options)
          .catch((error: unknown) => fallBack(error, () => primary.query<T>(sql, params, options))),
      exec: (sql: string) => replica.db!.exec(sql).catch((error: unknown) => fallBack(error, () => primary.exec(sql))),
      queue: (sql: string, params?: readonly SqlParam[], options?: QueryOptions) =>
        replica
          .db!.queue(sql, params, options)
          .catch((error: unknown) => fallBack(error, () => primary.queue(sql, params, options))),
      flush: () => replica.db!.flush(),
      afterCommit: (callback: () => void) => primary.afterCommit(callback),
      // A replica of a sharded coordinator is sharded too: its searches must join on shard_key.
      distributed: primary.distributed,
    };
  }

  private markDown(replica: Replica, error: unknown): void {
    if (replica.healthy) {
      this.log?.warn(
        { replica: replica.url.replace(/\/\/[^@/]*@/, '//'), err: error },
        'read replica unavailable: reads go to the primary',
      );
    }
    replica.healthy = false;
    replica.lastError = error instanceof Error ? error.message : String(error);
  }

  private async check(): Promise<void> {
    let primaryLsn: bigint;
    try {
      const [row] = await this.primary.query<{ lsn: string }>('select pg_current_wal_lsn()::text as lsn');
      primaryLsn = parseLsn(row!.lsn);
    } catch {
      return; // the primary's own trouble is answered elsewhere (503s); replicas keep their state
    }
    await Promise.all(this.replicas.map((replica) => this.checkOne(replica, primaryLsn)));
  }

  private async checkOne(replica: Replica, primaryLsn: bigint): Promise<void> {
    try {
      replica.db ??= await openPostgres(replica.url, this.settings.poolSize, {
        statementTimeoutMs: this.settings.statementTimeoutMs,
      });
      const [row] = await replica.db.query<{ standby: boolean; lsn: string | null }>(
        'select pg_is_in_recovery() as standby, pg_last_wal_replay_lsn()::text as lsn',
      );
      if (!row?.standby || !row.lsn) {
        throw new Error('not a streaming replica (pg_is_in_recovery() is false)');
      }
      const replayed = parseLsn(row.lsn);
      const lag = primaryLsn - replayed;
      // Behind and not moving since the last check: replay paused, or the WAL receiver cut off.
      replica.stuckSince = lag > 0n && replayed === replica.replayed ? (replica.stuckSince ?? Date.now()) : undefined;
      replica.replayed = replayed;
      if (lag > BigInt(this.settings.maxLagBytes)) {
        throw new Error(`${lag} bytes of WAL behind the primary (the limit is ${this.settings.maxLagBytes})`);
      }
      const stuckMs = replica.stuckSince === undefined ? 0 : Date.now() - replica.stuckSince;
      if (stuckMs > this.settings.maxLagMs) {
        throw new Error(
          `behind the primary and replaying nothing for ${stuckMs} ms (the limit is ${this.settings.maxLagMs})`,
        );
      }
      if (!replica.healthy) {
        this.log?.info({ replica: replica.url.replace(/\/\/[^@/]*@/, '//') }, 'read replica serving reads');
      }
      replica.healthy = true;
      replica.lastError = undefined;
    } catch (error) {
      this.markDown(replica, error);
    }
  }
}
