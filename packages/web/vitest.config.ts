import { defineConfig } from 'vitest/config';

/**
 * Unit tests (`src/**\/*.test.ts` and `.tsx`, and the build's own in `scripts/`) and end-to-end browser tests
 * (`e2e/**\/*.e2e.test.ts`: a real server, a built web app, Debian's Chromium driven by playwright-core).
 */
export default defineConfig({
  test: {
    reporters: ['default', '../server/src/testing/summary-reporter.ts'],
    testTimeout: 240_000,
    hookTimeout: 300_000,
    fileParallelism: false,
    projects: [
      { test: { name: 'unit', include: ['src/**/*.test.{ts,tsx}', 'scripts/**/*.test.ts'] } },
      {
        test: {
          name: 'e2e',
          include: ['e2e/**/*.e2e.test.ts'],
          globalSetup: ['e2e/support/global-setup.ts'],
          testTimeout: 240_000,
          // A page follows a change by refetching: on a loaded two-core machine that can take seconds,
          // far over expect.poll's default of one second.
          expect: { poll: { timeout: 20_000, interval: 100 } },
          // Set-up seeds (or waits for another file seeding) a population: long on a shared machine.
          hookTimeout: 1_200_000,
          // Two files at a time: a file spends most of its time waiting on its browser and its server
          // process, so two keep both cores busy (each has its own server, database copy and port).
          fileParallelism: true,
          maxWorkers: 2,
        },
      },
    ],
  },
});
