import { defineConfig } from 'vitest/config';

/**
 * Two projects: every test on the embedded database (PGlite), and the database tests
 * (`*.int.test.ts`) again on PostgreSQL, because production runs there.
 */
export default defineConfig({
  test: {
    reporters: ['default', './src/testing/summary-reporter.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    projects: [
      {
        test: {
          name: 'pglite',
          include: ['src/**/*.test.ts'],
          env: { CAREWEAVE_TEST_DATABASE: 'pglite' },
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'postgres',
          include: ['src/**/*.int.test.ts'],
          env: { CAREWEAVE_TEST_DATABASE: 'postgres' },
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
