import { defineConfig } from 'vitest/config';

// Three projects: unit tests need no server; integration tests share one Temporal dev server
// and two local Kubernetes control planes started by the global setup; replay tests feed
// committed histories to the SDK's replayer.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['**/*.test.ts'],
          exclude: ['node_modules/**', 'test/integration/**', 'test/replay/**'],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/integration/global-setup.ts'],
          testTimeout: 300_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'replay',
          include: ['test/replay/**/*.test.ts'],
          testTimeout: 120_000,
        },
      },
    ],
  },
});
