import { defineConfig } from 'vitest/config';

/** Two projects: fast unit specs beside the code, integration tests against real Kafka, PostgreSQL and Chromium. */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['{streams,models,data,backend,frontend}/src/**/*.spec.ts'],
          testTimeout: 30_000,
          // Specs that migrate an embedded database in their setup take seconds under load.
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          // One backend and one broker workload at a time: two cores.
          poolOptions: { forks: { singleFork: true } },
          testTimeout: 240_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
