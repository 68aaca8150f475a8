import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // moto_server for the integration tests: started once on a free port, stopped at the end.
    globalSetup: ['test/integration/global-setup.ts'],
    // Property tests run thousands of cases and integration tests drive a real emulator.
    testTimeout: 120_000,
    hookTimeout: 60_000,
    coverage: { provider: 'v8', include: ['shared/**/*.ts'] },
  },
});
