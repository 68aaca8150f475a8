import { defineConfig } from 'vitest/config';

/**
 * Three projects, split by where a test file is and what it is called, so that a new test file lands
 * in the right one without touching this file:
 * - integration: test/integration/, test/stack/, test/cli/ and test/browser/ — moto, the packaged
 *   stack, the built CLI run as a child process, and a real browser. Its global setup builds the CLI
 *   and starts moto once.
 * - property: files whose name ends in `property.test.ts` or `properties.test.ts` — the long fast-check runs
 *   (fixed seeds, full budgets) against brute-force oracles. Pure and in process, but they take most
 *   of the pure suites' time, so they have their own project.
 * - unit: every other test/ file — pure, in process, no emulator and no network; seconds, not minutes.
 *   Its files share one module graph per worker (`isolate: false`): importing the code once instead
 *   of once per file makes the run about 4× faster, so a unit test must leave no global state behind
 *   (mocks are reset in beforeEach, environment variables restored). Checked with shuffled orders.
 * `npm test` runs all three.
 */
export const INTEGRATION = [
  'test/integration/**/*.test.ts',
  'test/stack/**/*.test.ts',
  'test/cli/**/*.test.ts',
  'test/browser/**/*.test.ts',
];
export const PROPERTY = ['test/**/*property.test.ts', 'test/**/*properties.test.ts'];

export default defineConfig({
  test: {
    // Property tests run thousands of cases and integration tests drive a real emulator.
    testTimeout: 120_000,
    hookTimeout: 60_000,
    coverage: { provider: 'v8', include: ['shared/**/*.ts'] },
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: [...INTEGRATION, ...PROPERTY],
          isolate: false,
        },
      },
      {
        extends: true,
        test: { name: 'property', include: PROPERTY, exclude: INTEGRATION },
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
