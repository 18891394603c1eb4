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
          testTimeout: 240_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
