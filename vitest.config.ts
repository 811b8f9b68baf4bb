import { defineConfig } from 'vitest/config';

/**
 * Two tiers. `unit`: pure logic, no Temporal, no PostgreSQL, no emulator; seconds, run in a shuffled order so that
 * no test leans on another. `integration`: everything else, against one real Temporal dev server and one real
 * PostgreSQL for the whole run (test/global-setup.ts).
 */
export default defineConfig({
  test: {
    // Two cores: files that start their own stacks must not all run at once.
    maxWorkers: 2,
    minWorkers: 1,
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          sequence: { shuffle: true },
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          exclude: ['test/unit/**'],
          globalSetup: ['test/global-setup.ts'],
          setupFiles: ['test/helpers/runtime.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
