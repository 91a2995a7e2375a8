import { defineConfig } from 'vitest/config';

// The whole API suite runs on SQLite, and again on PostgreSQL when USERFLARE_TEST_DATABASE_URL names a
// server (`.ci/run` sets it): each run creates a database of its own and drops it (issue 4).
const postgresUrl = process.env.USERFLARE_TEST_DATABASE_URL;

export default defineConfig({
  resolve: { conditions: ['userflare-source'] },
  ssr: { resolve: { conditions: ['userflare-source'] } },
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // What a test waits for (a reload, a fetch and a render; a background write) can take longer than
    // the default second on a busy CPU.
    expect: { poll: { timeout: 10_000 } },
    // Vitest's default on two cores is one worker; three keep both cores busy while files wait on
    // PostgreSQL, child processes and Chromium.
    maxWorkers: 3,
    reporters: ['default', './vitest.summary-reporter.ts'],
    projects: [
      {
        extends: true,
        // `*.pg.test.ts` covers what only a shared database has: replicas, cut connections.
        test: {
          name: 'sqlite',
          // Files share a worker's modules: every file importing the server anew cost a third of the CPU.
          isolate: false,
          include: ['packages/*/test/**/*.test.ts'],
          exclude: ['**/*.pg.test.ts', 'packages/dashboard/**'],
        },
      },
      {
        extends: true,
        // The dashboard in Debian's Chromium, against a real server on a fresh store (issue 13).
        test: {
          name: 'dashboard',
          isolate: false,
          include: ['packages/dashboard/test/**/*.test.ts'],
          globalSetup: ['packages/dashboard/test/helpers/global-setup.ts'],
          testTimeout: 60_000,
        },
      },
      ...(postgresUrl
        ? [
            {
              extends: true as const,
              test: {
                name: 'postgres',
                isolate: false,
                include: ['packages/userflare/test/**/*.test.ts'],
                // These drive clients or the SQLite file, not the shared store: the SQLite run covers them.
                exclude: [
                  'packages/userflare/test/wrangler.test.ts',
                  'packages/userflare/test/restart.test.ts',
                  'packages/userflare/test/crash-safety.test.ts',
                  'packages/userflare/test/secrets.test.ts',
                  'packages/userflare/test/background-checkpoints.test.ts',
                  'packages/userflare/test/cli/**',
                ],
                globalSetup: ['packages/userflare/test/helpers/postgres-global-setup.ts'],
              },
            },
          ]
        : []),
    ],
  },
});
