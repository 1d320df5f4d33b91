import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { linesOf, runCli, type CliResult } from './support/cli-run.js';
import { createTestDatabase, POSTGRES_SOURCE, TEST_ENGINE, type TestDatabase } from './support/test-database.js';

// `trenchcoat serve` that cannot start ends by itself: one line on stderr naming the cause, a non-zero exit,
// everything it had opened (database pool, LISTEN connection, Redis clients, server) closed again. A process
// that hangs fails through runCli's timeout; one that only ends through the CLI's backstop timer prints a
// second line, which fails the one-line check.

const HANG = 10_000;

describe(`serve start-up failures (${TEST_ENGINE})`, () => {
  let dir: string;
  let busy: Server | undefined;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'trenchcoat-startup-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  afterEach(async () => {
    await new Promise<void>((resolve) => (busy ? busy.close(() => resolve()) : resolve()));
    busy = undefined;
  });

  const serve = (args: string[], env: Record<string, string> = {}) =>
    runCli(['serve', '--host', '127.0.0.1', ...args], { cwd: dir, env, timeoutMs: HANG });

  /** `serve` on a fresh database of the run's engine, which it is left to migrate before failing. */
  async function serveOnTestDatabase(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
    const database = await createTestDatabase();
    try {
      const result = await serve([...args, '--db', database.url], { ...database.gatewayEnv, ...env });
      await expectNoConnectionLeft(database);
      return result;
    } finally {
      await database.drop();
    }
  }

  it('a port in use', async () => {
    busy = createServer();
    const port = await new Promise<number>((resolve) => busy!.listen(0, '127.0.0.1', () => resolve((busy!.address() as AddressInfo).port)));
    expectOneLineFailure(await serveOnTestDatabase(['--port', String(port)]), new RegExp(`EADDRINUSE.*127\\.0\\.0\\.1:${port}`));
  });

  it('Redis unreachable (REDIS_URL)', async () => {
    // TRENCHCOAT_LIVE_RELAY=redis is what REDIS_URL selects by default; PGlite's settings pin it to local.
    const result = await serveOnTestDatabase(['--port', '0'], { REDIS_URL: 'redis://127.0.0.1:1', TRENCHCOAT_LIVE_RELAY: 'redis' });
    expectOneLineFailure(result, /redis.*ECONNREFUSED 127\.0\.0\.1:1/i);
  });

  it('PORT=abc', async () => {
    expectOneLineFailure(await serveOnTestDatabase([], { PORT: 'abc' }), /PORT must be an integer.*"abc"/);
  });

  it('TRENCHCOAT_BODY_LIMIT_BYTES=-1', async () => {
    expectOneLineFailure(await serveOnTestDatabase(['--port', '0'], { TRENCHCOAT_BODY_LIMIT_BYTES: '-1' }), /TRENCHCOAT_BODY_LIMIT_BYTES.*"-1"/);
  });

  it.runIf(TEST_ENGINE === 'sqlite')('a SQLite path that is a directory', async () => {
    const path = join(dir, 'a-directory');
    mkdirSync(path);
    expectOneLineFailure(await serve(['--port', '0', '--db', path]), `SQLite database ${path}: unable to open`);
  });

  it.runIf(TEST_ENGINE === 'sqlite')('a SQLite path that is not a database', async () => {
    const path = join(dir, 'notes.txt');
    writeFileSync(path, 'plain text, long enough to fill the header a SQLite file starts with.\n'.repeat(4));
    expectOneLineFailure(await serve(['--port', '0', '--db', path]), `SQLite database ${path}: file is not a database`);
  });

  it.runIf(TEST_ENGINE === 'postgres')('a PostgreSQL server that does not answer', async () => {
    expectOneLineFailure(await serve(['--port', '0', '--db', 'postgres://postgres@127.0.0.1:1/trenchcoat']), /ECONNREFUSED 127\.0\.0\.1:1/);
  });

  // PGlite serves one database whatever the URL names.
  it.runIf(TEST_ENGINE === 'postgres' && POSTGRES_SOURCE === 'server')('a PostgreSQL database that does not exist', async () => {
    const url = new URL(process.env['TEST_DATABASE_URL']!);
    url.pathname = `/tc_missing_${process.pid}`;
    expectOneLineFailure(await serve(['--port', '0', '--db', url.toString()]), /database "tc_missing_\d+" does not exist/);
  });
});

/** Non-zero exit, one line on stderr, and that line names the cause (a pattern, or text it contains). */
function expectOneLineFailure(result: CliResult, cause: RegExp | string): void {
  expect(result.code, result.stderr).not.toBeNull();
  expect(result.code, result.stderr).not.toBe(0);
  expect(linesOf(result.stderr), result.stderr).toHaveLength(1);
  expect(result.stderr).toMatch(/^trenchcoat: /);
  expect(result.stderr).toMatch(cause);
}

/** On the PostgreSQL server: no session on the test's database remains once the process is gone. */
async function expectNoConnectionLeft(database: TestDatabase): Promise<void> {
  if (TEST_ENGINE !== 'postgres' || POSTGRES_SOURCE !== 'server') return;
  const name = new URL(database.url).pathname.slice(1);
  const admin = new pg.Client({ connectionString: process.env['TEST_DATABASE_URL'] });
  await admin.connect();
  try {
    const count = async () =>
      Number((await admin.query<{ n: string }>('select count(*) as n from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [name])).rows[0]!.n);
    // The server notices a closed socket a moment after the process ends.
    await expect.poll(count).toBe(0);
  } finally {
    await admin.end();
  }
}
