/**
 * Runs before the test suite: the database tests run on PostgreSQL as well as PGlite, so say
 * clearly when no PostgreSQL server is reachable instead of failing hundreds of tests.
 */
import pg from 'pg';
import { TEST_POSTGRES_URL } from './database.ts';

const client = new pg.Client({ connectionString: TEST_POSTGRES_URL, connectionTimeoutMillis: 5000 });
try {
  await client.connect();
  await client.end();
} catch (error) {
  process.stderr.write(
    `The tests need PostgreSQL at ${TEST_POSTGRES_URL} (${(error as Error).message}).\n` +
      'Start it (e.g. `pg_ctlcluster --skip-systemctl-redirect 15 main start`) or point\n' +
      'CAREWEAVE_TEST_POSTGRES_URL at a server; `npm run test:pglite -w @careweave/server` runs the embedded-database tests only.\n',
  );
  process.exit(1);
}
