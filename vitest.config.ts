import { defineConfig } from 'vitest/config';

/**
 * Two projects, split by folder so that a new test file lands in the right one by where it is:
 * - integration: test/integration/, test/stack/, test/cli/ and test/browser/ — moto, the packaged
 *   stack, the built CLI run as a child process, and a real browser. Its global setup builds the CLI
 *   and starts moto once.
 * - unit: every other test/ folder — pure, in process, no emulator and no network.
 */
const INTEGRATION = [
  'test/integration/**/*.test.ts',
  'test/stack/**/*.test.ts',
  'test/cli/**/*.test.ts',
  'test/browser/**/*.test.ts',
];

export default defineConfig({
  test: {
    // Property tests run thousands of cases and integration tests drive a real emulator.
    testTimeout: 120_000,
    hookTimeout: 60_000,
    coverage: { provider: 'v8', include: ['shared/**/*.ts'] },
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: INTEGRATION },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: INTEGRATION,
          // The CLI built from the current sources, and one moto_server on a free port for the run.
          globalSetup: ['test/integration/global-setup.ts'],
        },
      },
    ],
  },
});
