import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One real Temporal dev server and one real PostgreSQL for the whole run (see test/global-setup.ts).
    globalSetup: ['test/global-setup.ts'],
    setupFiles: ['test/helpers/runtime.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Two cores: files that start their own stacks must not all run at once.
    maxWorkers: 2,
    minWorkers: 1,
  },
});
