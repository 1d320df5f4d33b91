import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

// Every spec runs on SQLite and again on PostgreSQL, each gateway in a database of its own: on the
// server at TEST_DATABASE_URL (.ci/run sets it when the local one answers), else on in-process PGlite.
// TEST_ENGINES=sqlite (or postgres) runs one engine only.
const engines = (process.env['TEST_ENGINES'] ?? 'sqlite,postgres').split(',').filter((name) => name === 'sqlite' || name === 'postgres');

export default defineConfig({
  resolve: {
    // Vite would pick graphql's ESM build for our files while Pothos and Yoga load its CommonJS
    // build through Node: two realms, and graphql refuses to mix them. Pin ours to Node's choice.
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    // After the summary, why tests were skipped (an absent server, browser or samples folder) and how many.
    reporters: ['default', './test/support/skip-summary-reporter.ts'],
    // Builds dist/ (what bin/trenchcoat.js runs) from the current sources before any spec spawns the CLI.
    globalSetup: ['test/support/build-before-tests.ts'],
    pool: 'forks',
    // One module graph per worker, not per spec file: re-importing the whole stack for every file and
    // engine cost more than most specs themselves. Specs keep no state in modules (no vi.mock, no env edits).
    isolate: false,
    // Generous: a guard against hangs on a loaded 2-core machine, not a speed requirement.
    testTimeout: 90_000,
    hookTimeout: 90_000,
    env: { LOG_LEVEL: 'silent' },
    projects: engines.map((engine) => ({
      extends: true as const,
      test: { name: engine, env: { LOG_LEVEL: 'silent', TEST_ENGINE: engine } },
    })),
  },
});
