import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

// Every spec runs on SQLite; with TEST_DATABASE_URL (a PostgreSQL server; .ci/run sets it when the
// local one answers) it runs again on PostgreSQL, each gateway in a database of its own.
const engines = ['sqlite', ...(process.env['TEST_DATABASE_URL'] ? ['postgres'] : [])];

export default defineConfig({
  resolve: {
    // Vite would pick graphql's ESM build for our files while Pothos and Yoga load its CommonJS
    // build through Node: two realms, and graphql refuses to mix them. Pin ours to Node's choice.
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    env: { LOG_LEVEL: 'silent' },
    projects: engines.map((engine) => ({
      extends: true as const,
      test: { name: engine, env: { LOG_LEVEL: 'silent', TEST_ENGINE: engine } },
    })),
  },
});
