import { defineConfig } from 'vitest/config';

/**
 * Two projects: every test on the embedded database (PGlite), and the database tests
 * (`*.int.test.ts`) again on PostgreSQL, because production runs there.
 *
 * Two test files at a time (vitest's default on a 2-core machine is one): a file spends much of its
 * time waiting on PostgreSQL, a server process or a reaction, so two keep both cores busy. Each file
 * has its own database (a PGlite instance, or a `careweave_test_*` PostgreSQL database) and its own
 * ports, so files never share state. Set-up hooks get five minutes for the seeded fixtures on a
 * loaded machine.
 */
/** The test files that run on the Citus cluster too. */
const CITUS_SUITE = process.env.CITUS_ALL ? ['src/**/*.int.test.ts'] : ['src/fhir/rest/interactions.int.test.ts', 'src/fhir/search/search.int.test.ts'];

export default defineConfig({
  test: {
    reporters: ['default', './src/testing/summary-reporter.ts'],
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 300_000,
    projects: [
      {
        test: {
          name: 'pglite',
          include: ['src/**/*.test.ts'],
          globalSetup: ['src/testing/global-setup.ts'],
          env: { CAREWEAVE_TEST_DATABASE: 'pglite' },
          testTimeout: 60_000,
          hookTimeout: 300_000,
        },
      },
      {
        test: {
          name: 'postgres',
          include: ['src/**/*.int.test.ts'],
          globalSetup: ['src/testing/global-setup.ts'],
          env: { CAREWEAVE_TEST_DATABASE: 'postgres' },
          testTimeout: 60_000,
          hookTimeout: 300_000,
        },
      },
      {
        test: {
          name: 'citus',
          // The record sharded by patient on a three-node Citus cluster (src/db/distributed.ts): the
          // files below, docs/DEPLOYMENT.md says which are left out and why.
          include: CITUS_SUITE,
          globalSetup: ['src/testing/global-setup.ts'],
          env: { CAREWEAVE_TEST_DATABASE: 'postgres' },
          testTimeout: 60_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
