import { isDistributed } from './distributed.ts';
import { createHash } from 'node:crypto';
import pg from 'pg';
import { runAfterCommit, type Database, type Queryable, type QueryOptions, type SqlParam } from './database.ts';
import { isConnectionLost } from './errors.ts';

// Return bigint/numeric as strings would surprise callers; version ids fit in a JS number.
pg.types.setTypeParser(20, (value) => Number(value));
// Resource content is returned as the stored JSON text; the FHIR layer decides when to parse it.
pg.types.setTypeParser(114, (value) => value);

/**
 * Names for server-side prepared statements, one per distinct SQL text. A named statement is
 * parsed and planned once per connection, and after a few runs PostgreSQL may keep a generic plan,
 * so a search's planning (which the access policy's sub-queries make about as long as running it,
 * ~1 ms) is paid once instead of on every request. Search SQL differs only in its parameters for
 * the same query shape, so shapes are few; past `max` shapes new ones run unnamed, which bounds the
 * statements each connection keeps.
 */
class StatementNames {
  private readonly names = new Map<string, string>();
  private readonly max: number;

  constructor(max: number) {
    this.max = max;
  }

  nameFor(sql: string): string | undefined {
    const known = this.names.get(sql);
    if (known || this.names.size >= this.max) {
      return known;
    }
    const name = `cw_${createHash('sha1').update(sql).digest('hex').slice(0, 24)}`;
    this.names.set(sql, name);
    return name;
  }
}

interface Statement {
  sql: string;
  params: readonly SqlParam[];
  options: QueryOptions;
}

/** Sends one statement on `client` (by name when its plan may be kept, see StatementNames). */
function submit(
  client: pg.PoolClient | pg.Pool,
  statements: StatementNames,
  statement: Statement,
): Promise<pg.QueryResult> {
  const { sql, params, options } = statement;
  // Without parameters a query may hold several statements, which only the simple protocol allows.
  const name = params.length && options.reusePlan !== false ? statements.nameFor(sql) : undefined;
  return client.query(
    name ? { name, text: sql, values: params as unknown[] } : { text: sql, values: params as unknown[] },
  );
}

/** The pool's queries, each on whichever connection is free; nothing to queue behind. */
function wrapPool(pool: pg.Pool, statements: StatementNames, distributed: boolean): Queryable {
  return {
    distributed,
    async query<T>(sql: string, params: readonly SqlParam[] = [], options: QueryOptions = {}): Promise<T[]> {
      return (await submit(pool, statements, { sql, params, options })).rows as T[];
    },
    async exec(sql: string): Promise<void> {
      await pool.query(sql);
    },
    async queue(sql: string, params: readonly SqlParam[] = [], options: QueryOptions = {}): Promise<void> {
      await submit(pool, statements, { sql, params, options });
    },
    // A queued statement on the pool has run before `queue` resolved.
    async flush(): Promise<void> {},
    afterCommit(callback: () => void): void {
      runAfterCommit([callback]);
    },
  };
}

/**
 * One transaction on one connection, sending queued statements (`begin` first) with the next one.
 * Each round trip to PostgreSQL costs both processes a network write, a read and a wake-up, which on
 * a small or virtualised machine cost more than running a short statement: a booking was about a
 * dozen of them. The connection is in pipeline mode (pg's `pipeline` option: a statement is written
 * without waiting for the one before to be answered); corking the socket around the batch makes the
 * queued statements and the one awaited a single write, answered in order.
 */
class PipelinedTransaction implements Queryable {
  private readonly queued: Statement[] = [{ sql: 'begin', params: [], options: {} }];
  private begun = false;
  private readonly committed: (() => void)[] = [];
  private readonly client: pg.PoolClient;
  private readonly statements: StatementNames;
  readonly distributed: boolean;

  constructor(client: pg.PoolClient, statements: StatementNames, distributed: boolean) {
    this.client = client;
    this.statements = statements;
    this.distributed = distributed;
  }

  /** Whether `begin` has been sent, so there is something to roll back. */
  get started(): boolean {
    return this.begun;
  }

  async query<T>(sql: string, params: readonly SqlParam[] = [], options: QueryOptions = {}): Promise<T[]> {
    return (await this.send({ sql, params, options })).rows as T[];
  }

  async exec(sql: string): Promise<void> {
    await this.send({ sql, params: [], options: {} });
  }

  queue(sql: string, params: readonly SqlParam[] = [], options: QueryOptions = {}): Promise<void> {
    this.queued.push({ sql, params, options });
    return Promise.resolve();
  }

  async flush(): Promise<void> {
    // The last queued statement carries the others; `begin` alone is not worth a round trip.
    const last = this.queued.length === 1 && !this.begun ? undefined : this.queued.pop();
    if (last) {
      await this.send(last);
    }
  }

  afterCommit(callback: () => void): void {
    this.committed.push(callback);
  }

  async commit(): Promise<void> {
    const result = await this.send(COMMIT);
    // PostgreSQL answers COMMIT in a transaction that an error has aborted with ROLLBACK, not with an
    // error: a failure some code caught and swallowed (a queued statement's, reported on a read whose
    // caller ignores errors) must not become a success that stored nothing.
    if (result.command !== 'COMMIT') {
      throw new Error(
        `The transaction was rolled back (PostgreSQL answered ${result.command ?? 'nothing'} to COMMIT): a statement in it failed`,
      );
    }
    runAfterCommit(this.committed);
  }

  private async send(next: Statement): Promise<pg.QueryResult> {
    const { statements, last } = withPlanModes([...this.queued.splice(0), next], this.distributed);
    this.begun = true;
    if (statements.length === 1) {
      return submit(this.client, this.statements, next);
    }
    const socket = socketOf(this.client);
    socket?.cork();
    let sent: Promise<pg.QueryResult>[];
    try {
      sent = statements.map((statement) => submit(this.client, this.statements, statement));
    } finally {
      socket?.uncork();
    }
    const settled = await Promise.allSettled(sent);
    // Statements run in order, and after a failure the rest fail as "transaction aborted": the first
    // failure is the cause.
    const failure = settled.find((result) => result.status === 'rejected');
    if (failure) {
      throw failure.reason;
    }
    return (settled[last] as PromiseFulfilledResult<pg.QueryResult>).value;
  }
}

const COMMIT: Statement = { sql: 'commit', params: [], options: {} };
const GENERIC_PLANS: Statement = { sql: 'set local plan_cache_mode = force_generic_plan', params: [], options: {} };
const CHOSEN_PLANS: Statement = { sql: 'set local plan_cache_mode = auto', params: [], options: {} };

/**
 * Surrounds each run of statements that want generic plans with the settings that force them and put
 * PostgreSQL's own choice back, so every other statement (a search inside a transaction, a savepoint
 * rolled back to) runs as it would have. In the same write as the batch, they cost no round trips.
 * Returns the statements to send and the position of `batch`'s last one among them.
 */
function withPlanModes(batch: readonly Statement[], distributed: boolean): { statements: Statement[]; last: number } {
  const statements: Statement[] = [];
  let generic = false;
  for (const statement of batch) {
    // Citus plans a distributed statement with its parameters' values (routing needs them): it
    // cannot run a generic plan of one.
    const wantsGeneric = !distributed && statement.options.genericPlan === true && statement.params.length > 0;
    // A commit ends the setting with the transaction.
    if (wantsGeneric !== generic && statement !== COMMIT) {
      statements.push(wantsGeneric ? GENERIC_PLANS : CHOSEN_PLANS);
      generic = wantsGeneric;
    }
    statements.push(statement);
  }
  const last = statements.length - 1;
  if (generic && batch[batch.length - 1] !== COMMIT) {
    statements.push(CHOSEN_PLANS);
  }
  return { statements, last };
}

/**
 * The socket under a pg client: pg corks it itself around each statement's messages, and does not
 * expose it, so this reaches for it. Without it (another transport) the batch is still pipelined,
 * only in several writes.
 */
function socketOf(client: pg.PoolClient): { cork(): void; uncork(): void } | undefined {
  const stream = (client as unknown as { connection?: { stream?: { cork?: unknown; uncork?: unknown } } }).connection
    ?.stream;
  return typeof stream?.cork === 'function' && typeof stream.uncork === 'function'
    ? (stream as { cork(): void; uncork(): void })
    : undefined;
}

/** Distinct statement texts prepared by name (see StatementNames). */
const MAX_NAMED_STATEMENTS = 500;

export interface PostgresOptions {
  /**
   * `statement_timeout` (ms) of every connection of the pool, sent when it connects: PostgreSQL
   * cancels a statement that runs longer (SQLSTATE 57014). 0 or unset: the server's own setting.
   */
  statementTimeoutMs?: number;
}

export async function openPostgres(url: string, poolSize = 10, options: PostgresOptions = {}): Promise<Database> {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    // Statements queued in a transaction go out together (PipelinedTransaction).
    pipeline: true,
    ...(options.statementTimeoutMs ? { statement_timeout: options.statementTimeoutMs } : {}),
  });
  const statements = new StatementNames(MAX_NAMED_STATEMENTS);
  pool.on('error', () => {
    // An idle client died (e.g. server restart); the pool replaces it on next use.
  });
  // Belt and braces: every connection has a listener of its own for its whole life, so an 'error'
  // emitted while it is borrowed, between the pool's listeners, never goes unheard (which would end
  // the process). The query in flight fails with the same error, and the pool drops the client.
  pool.on('connect', (client) => {
    client.on('error', () => undefined);
  });
  await pool.query('select 1');
  const distributed = await isDistributed(wrapPool(pool, statements, false));
  return {
    kind: 'postgres',
    native: { kind: 'postgres', pool },
    ...wrapPool(pool, statements, distributed),
    async transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      // The pool listens for errors only on idle clients: a borrowed one whose connection the
      // server ends (pg_terminate_backend, a restart) would emit 'error' to nobody, which ends the
      // process. The failed query rejects too, and that is what the caller sees.
      let lost: Error | undefined;
      const onError = (error: Error): void => {
        lost = error;
      };
      client.on('error', onError);
      const tx = new PipelinedTransaction(client, statements, distributed);
      try {
        const result = await work(tx);
        await tx.commit();
        return result;
      } catch (error) {
        if (!lost && isConnectionLost(error)) {
          lost = error as Error;
        }
        if (!lost && tx.started) {
          await client.query('rollback').catch(() => undefined);
        }
        throw error;
      } finally {
        // A client whose connection failed is closed, not pooled again (and keeps its listeners: the
        // socket may still report the loss after this); a healthy one goes back without this one.
        if (!lost) {
          client.off('error', onError);
        }
        client.release(lost);
      }
    },
    close: () => pool.end(),
  };
}
