import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Property tests run thousands of cases; keep a generous per-test budget.
    testTimeout: 60_000,
    coverage: { provider: 'v8', include: ['shared/**/*.ts'] },
  },
});
