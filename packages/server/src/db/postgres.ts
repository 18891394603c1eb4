import pg from 'pg';
import type { Database, Queryable, SqlParam } from './database.ts';

// Return bigint/numeric as strings would surprise callers; version ids fit in a JS number.
pg.types.setTypeParser(20, (value) => Number(value));
// Resource content is returned as the stored JSON text; the FHIR layer decides when to parse it.
pg.types.setTypeParser(114, (value) => value);

function wrapClient(client: pg.PoolClient | pg.Pool): Queryable {
  return {
    async query<T>(sql: string, params: readonly SqlParam[] = []): Promise<T[]> {
      const result = await client.query(sql, params as unknown[]);
      return result.rows as T[];
    },
    async exec(sql: string): Promise<void> {
      await client.query(sql);
    },
  };
}

export async function openPostgres(url: string, poolSize = 10): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  pool.on('error', () => {
    // An idle client died (e.g. server restart); the pool replaces it on next use.
  });
  await pool.query('select 1');
  return {
    kind: 'postgres',
    ...wrapClient(pool),
    async transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      try {
        await client.query('begin');
        const result = await work(wrapClient(client));
        await client.query('commit');
        return result;
      } catch (error) {
        await client.query('rollback').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}
