// Long reads (analytics) run off the event loop (issue 15, item 3): on a SQLite file, in a worker thread with a
// read-only connection of its own (src/db/sqlite-worker-driver.ts), bounded by a time limit and a queue; on
// PostgreSQL, on the pool as before. "Long" here is a recursive count of a few million rows: it takes seconds of
// SQLite's time, enough for the requests made meanwhile, and ends by itself (SQLite cannot be interrupted, so a
// statement past the time limit still runs out on its stopped thread).
import { renameSync } from 'node:fs';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { sql, type Kysely } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { selectRangeTotals, selectToolTotals } from '../src/analytics/analytics-queries.js';
import { defaultConfig } from '../src/config.js';
import { isDatabaseUnavailable } from '../src/db/database-unavailable.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { openDatabase, type Database, type SqliteOptions } from '../src/db/open-database.js';
import type { Tables } from '../src/db/tables.js';
import { ApiError } from '../src/errors/api-error.js';
import { getJson, loadAnalyticsDataset, MARCH, MARCH_OVERVIEW, NOW } from './support/analytics-dataset.js';
import { runCli, startServe } from './support/cli-run.js';
import { createTestDatabase, TEST_ENGINE, type TestDatabase } from './support/test-database.js';
import { startTestGateway, type TestGateway } from './support/test-gateway.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function gateway(): Promise<TestGateway> {
  const t = await startTestGateway({ now: () => NOW });
  cleanups.push(() => t.close());
  return t;
}

/** A migrated SQLite file (`given`, else a new one) opened with the gateway's settings, `sqlite` changed as given. */
async function sqliteDatabase(sqlite: Partial<SqliteOptions> = {}, given?: TestDatabase): Promise<Database> {
  const file = given ?? (await createTestDatabase());
  if (!given) cleanups.push(() => file.drop());
  const config = defaultConfig();
  const database = openDatabase(file.sqlitePath!, config.postgres, { ...config.sqlite, ...sqlite });
  cleanups.push(() => database.close());
  await migrateToLatest(database);
  return database;
}

/** A read that keeps SQLite busy for seconds (millions of rows counted), then answers their count. */
function longRead(db: Kysely<Tables>, rows = 5_000_000) {
  return sql<{ n: number }>`with recursive c(x) as (select 1 union all select x + 1 from c where x < ${rows}) select count(*) as n from c`.execute(db);
}

/** A promise and whether it has settled yet. */
function watched<T>(promise: Promise<T>): { promise: Promise<T>; settled: () => boolean } {
  let done = false;
  void promise.then(() => (done = true), () => (done = true));
  return { promise, settled: () => done };
}

/** Rejects with the error `promise` fails with; fails the test if it succeeds. */
async function failure(promise: Promise<unknown>): Promise<any> {
  return promise.then(() => expect.fail('expected the statement to fail'), (error: unknown) => error);
}

describe('analytics through readsOffLoop', () => {
  it('answers exactly what the main connection answers (a worker on SQLite, the pool itself on PostgreSQL)', async () => {
    const t = await gateway();
    await loadAnalyticsDataset(t);
    const { db, readsOffLoop } = t.gateway.database;
    if (TEST_ENGINE === 'sqlite') expect(readsOffLoop).not.toBe(db);
    else expect(readsOffLoop).toBe(db);
    const accountId = (await db.selectFrom('accounts').select('id').where('slug', '=', 'acme').executeTakeFirstOrThrow()).id;
    for (const range of [{ startMs: Date.parse('2024-03-01'), endMs: Date.parse('2024-03-31') }, { startMs: 0, endMs: NOW }]) {
      const viaWorker = await Promise.all([selectRangeTotals(readsOffLoop, accountId, range), selectToolTotals(readsOffLoop, accountId, range, 50)]);
      expect(viaWorker[1].length).toBeGreaterThan(0);
      expect(viaWorker).toEqual(await Promise.all([selectRangeTotals(db, accountId, range), selectToolTotals(db, accountId, range, 50)]));
    }
  });
});

describe.runIf(TEST_ENGINE === 'sqlite')('the SQLite read worker', () => {
  it('leaves the event loop free while a long read runs: a timer fires before the read ends', async () => {
    const { readsOffLoop } = await sqliteDatabase();
    await sql`select 1`.execute(readsOffLoop);
    const read = watched(longRead(readsOffLoop));
    const planned = performance.now();
    const firedWhileRunning = await new Promise<boolean>((resolve) => setTimeout(() => resolve(!read.settled()), 20));
    const latenessMs = performance.now() - planned - 20;
    expect(firedWhileRunning, `timer late by ${Math.round(latenessMs)} ms`).toBe(true);
    expect((await read.promise).rows).toEqual([{ n: 5_000_000 }]);
  });

  it('keeps SQLite error codes where callers read them (503 for a file it cannot open), and cannot write', async () => {
    const file = await createTestDatabase();
    cleanups.push(() => file.drop());
    const { readsOffLoop } = await sqliteDatabase({}, file);
    // Its worker starts, and opens the file, with the first statement: the file is elsewhere by then.
    renameSync(file.sqlitePath!, `${file.sqlitePath}.away`);
    const cannotOpen = await failure(sql`select 1`.execute(readsOffLoop));
    renameSync(`${file.sqlitePath}.away`, file.sqlitePath!);
    expect(cannotOpen).toMatchObject({ name: 'SqliteError', code: 'SQLITE_CANTOPEN' });
    expect(isDatabaseUnavailable(cannotOpen)).toBe(true);
    expect((await sql<{ one: number }>`select 1 as one`.execute(readsOffLoop)).rows).toEqual([{ one: 1 }]);

    const missing = await failure(sql`select * from no_such_table`.execute(readsOffLoop));
    expect(missing).toMatchObject({ name: 'SqliteError', code: 'SQLITE_ERROR', message: 'no such table: no_such_table' });
    const write = await failure(readsOffLoop.insertInto('accounts').values({ slug: 'x', created_at: 0 }).execute());
    expect(write).toMatchObject({ name: 'SqliteError', code: 'SQLITE_READONLY' });
  });

  it('fails a read past the time limit with 503 UNAVAILABLE and answers the next one on a new worker', async () => {
    const { db, readsOffLoop } = await sqliteDatabase({ workerStatementTimeoutMs: 300 });
    const stopped = await failure(longRead(readsOffLoop));
    expect(stopped).toBeInstanceOf(ApiError);
    expect(stopped).toMatchObject({ code: 'UNAVAILABLE', status: 503 });
    expect(stopped.message).toMatch(/longer than 300 ms/);
    expect((await sql<{ one: number }>`select 1 as one`.execute(readsOffLoop)).rows).toEqual([{ one: 1 }]);
    expect((await sql<{ one: number }>`select 1 as one`.execute(db)).rows).toEqual([{ one: 1 }]);
  });

  it('refuses reads while two stopped ones still run out, with 503 and Retry-After', async () => {
    const { readsOffLoop } = await sqliteDatabase({ workerStatementTimeoutMs: 300 });
    // Long enough to outlast the second one's time limit, and starting a new worker for it, on a busy machine.
    for (let i = 0; i < 2; i++) expect(await failure(longRead(readsOffLoop, 10_000_000))).toMatchObject({ code: 'UNAVAILABLE' });
    const refused = await failure(sql`select 1`.execute(readsOffLoop));
    expect(refused).toMatchObject({ code: 'UNAVAILABLE', status: 503, headers: { 'retry-after': '1' } });
    expect(refused.message).toMatch(/still being stopped/);
  });

  it('refuses a read past the queue limit at once with 503 and Retry-After; the queued ones are answered', async () => {
    const { readsOffLoop } = await sqliteDatabase({ workerQueue: 1 });
    const running = watched(longRead(readsOffLoop));
    await nextTurn();
    const queued = watched(sql<{ one: number }>`select 1 as one`.execute(readsOffLoop));
    await nextTurn();
    const refused = await failure(sql`select 2`.execute(readsOffLoop));
    expect(refused).toMatchObject({ code: 'UNAVAILABLE', status: 503, headers: { 'retry-after': '1' } });
    expect(refused.message).toMatch(/1 database reads are already waiting/);
    expect(running.settled() || queued.settled(), 'refused while the others wait').toBe(false);
    expect((await running.promise).rows).toEqual([{ n: 5_000_000 }]);
    expect((await queued.promise).rows).toEqual([{ one: 1 }]);
  });

  it('on close, fails the read in flight and those waiting, and takes no more', async () => {
    const { readsOffLoop, close } = await sqliteDatabase();
    const running = watched(longRead(readsOffLoop));
    await nextTurn();
    const queued = watched(sql`select 1`.execute(readsOffLoop));
    await nextTurn();
    await close();
    // Both fail rather than wait: the one in flight too, though its thread runs on until SQLite is done with it.
    expect(await failure(running.promise)).toMatchObject({ message: 'driver has already been destroyed' });
    expect(await failure(queued.promise)).toMatchObject({ message: 'driver has already been destroyed' });
    expect(await failure(sql`select 1`.execute(readsOffLoop))).toMatchObject({ message: 'driver has already been destroyed' });
  });

  it('serves analytics through the worker: they wait behind a long read while /healthz and sessions are answered', async () => {
    const t = await gateway();
    const { acme } = await loadAnalyticsDataset(t);
    const { readsOffLoop } = t.gateway.database;
    await sql`select 1`.execute(readsOffLoop);
    const settledInOrder: string[] = [];
    const long = watched(longRead(readsOffLoop).finally(() => settledInOrder.push('long read')));
    await nextTurn();
    const analytics = getJson(t, `/api/v1/analytics/overview?${MARCH}`, acme).finally(() => settledInOrder.push('analytics'));

    expect((await t.get('/healthz')).status).toBe(200);
    const sessions = await t.get('/api/v1/sessions', acme);
    expect(sessions.status).toBe(200);
    await sessions.arrayBuffer();
    expect(long.settled(), 'the long read still runs').toBe(false);

    const answer = await analytics;
    await long.promise;
    expect(answer.status, answer.text).toBe(200);
    expect(answer.body).toEqual(MARCH_OVERVIEW);
    expect(settledInOrder).toEqual(['long read', 'analytics']);
  });

  it('`trenchcoat serve` (compiled, from dist/) answers analytics through its worker and exits on SIGTERM', async () => {
    const file = await createTestDatabase();
    cleanups.push(() => file.drop());
    const created = await runCli(['keys', 'create', '--account', 'acme', '--scopes', 'read:analytics', '--json', '--db', file.url], { cwd: process.cwd() });
    expect(created.code, created.stderr).toBe(0);
    const { key } = JSON.parse(created.stdout) as { key: string };
    const serve = await startServe(['--port', '0', '--db', file.url], { cwd: process.cwd() });
    cleanups.push(async () => void serve.child.kill('SIGKILL'));
    const answer = await fetch(`${serve.url}/api/v1/analytics/overview`, { headers: { 'x-api-key': key } });
    expect(answer.status).toBe(200);
    expect(((await answer.json()) as { data: { total_sessions: number } }).data.total_sessions).toBe(0);
    serve.child.kill('SIGTERM');
    expect(await serve.exited).toEqual({ code: 0, signal: null });
  });
});
