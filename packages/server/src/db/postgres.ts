import { createHash } from 'node:crypto';
import pg from 'pg';
import type { Database, Queryable, QueryOptions, SqlParam } from './database.ts';
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

function wrapClient(client: pg.PoolClient | pg.Pool, statements: StatementNames): Queryable {
  return {
    async query<T>(sql: string, params: readonly SqlParam[] = [], options: QueryOptions = {}): Promise<T[]> {
      // Without parameters a query may hold several statements, which only the simple protocol allows.
      const name = params.length && options.reusePlan !== false ? statements.nameFor(sql) : undefined;
      const result = await client.query(
        name ? { name, text: sql, values: params as unknown[] } : { text: sql, values: params as unknown[] },
      );
      return result.rows as T[];
    },
    async exec(sql: string): Promise<void> {
      await client.query(sql);
    },
  };
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
  return {
    kind: 'postgres',
    native: { kind: 'postgres', pool },
    ...wrapClient(pool, statements),
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
      try {
        await client.query('begin');
        const result = await work(wrapClient(client, statements));
        await client.query('commit');
        return result;
      } catch (error) {
        if (!lost && isConnectionLost(error)) {
          lost = error as Error;
        }
        if (!lost) {
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
