import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
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
/**
 * The test files that run on the Citus cluster too: the FHIR store, search, operations, bulk export,
 * Subscriptions and the access policy. Left out: official-examples (every R4 example round-tripped:
 * five minutes on the cluster, the same code paths as interactions) and owned (it re-runs migration
 * 016 on stored rows; migrations run before a store is distributed). CITUS_ALL=1 runs every database test.
 */
const CITUS_SUITE = process.env.CITUS_ALL
  ? ['src/**/*.int.test.ts', 'src/**/*.citus.test.ts']
  : ['src/**/*.citus.test.ts', 'src/access/*.int.test.ts', 'src/fhir/**/*.int.test.ts'];
const CITUS_LEFT_OUT = process.env.CITUS_ALL
  ? []
  : ['src/fhir/official-examples.int.test.ts', 'src/access/owned.int.test.ts'];

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
          // Tests of the sharded deployment itself run on the Citus cluster only.
          exclude: ['src/**/*.citus.test.ts'],
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
      ...citusProject(),
    ],
  },
});

/**
 * The record sharded by patient on a throwaway three-node Citus cluster (src/db/distributed.ts,
 * src/db/testing/citus-cluster.ts) runs the store, search and access suites below. Without the Citus
 * extension the project is left out with a warning, unless CAREWEAVE_REQUIRE_CITUS is set (CI).
 */
function citusInstalled(): boolean {
  try {
    const libdir = execFileSync('pg_config', ['--pkglibdir'], { encoding: 'utf8' }).trim();
    return fs.existsSync(path.join(libdir, 'citus.so'));
  } catch {
    return false;
  }
}

function citusProject() {
  if (!citusInstalled() && !process.env.CAREWEAVE_REQUIRE_CITUS) {
    process.stderr.write(
      'Citus is not installed for PostgreSQL: the citus test project is skipped (../shared/tools/citus/install-citus.sh builds it).\n',
    );
    return [];
  }
  return [
    {
      test: {
        name: 'citus',
        // The record sharded by patient on a three-node Citus cluster (src/db/distributed.ts): the
        // files below, docs/DEPLOYMENT.md says which are left out and why.
        include: CITUS_SUITE,
        exclude: CITUS_LEFT_OUT,
        globalSetup: ['src/testing/global-setup.ts'],
        env: { CAREWEAVE_TEST_DATABASE: 'postgres' },
        testTimeout: 60_000,
        hookTimeout: 300_000,
      },
    },
  ];
}
