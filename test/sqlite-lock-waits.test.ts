// Another process holding the database's write lock (a `sqlite3` shell inside BEGIN IMMEDIATE, a
// `trenchcoat import`) must not stop the gateway (issue 15): health and reads are answered meanwhile,
// writes wait for the lock without holding anything else up, and give up with 503 UNAVAILABLE at
// TRENCHCOAT_SQLITE_BUSY_DEADLINE_MS. The lock is held through a second connection of this test process:
// had the gateway waited synchronously, nothing else in the process (this test's requests included)
// could go on until that wait ended, so "answered while the write is still pending" proves it did not.
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { sideQuery } from './support/side-connection.js';
import { describeNeeding } from './support/requirements.js';
import { TEST_ENGINE } from './support/test-database.js';
import { event, SESSION_A, SESSION_B, startTestGateway, type TestGateway } from './support/test-gateway.js';

let opened: TestGateway[] = [];
afterEach(async () => {
  for (const t of opened) await t.close();
  opened = [];
});

async function gateway(env?: Record<string, string>): Promise<TestGateway> {
  const t = await startTestGateway({ env });
  opened.push(t);
  return t;
}

/** A promise and whether it has settled yet. */
function watched<T>(promise: Promise<T>): { promise: Promise<T>; settled: () => boolean } {
  let done = false;
  void promise.then(() => (done = true), () => (done = true));
  return { promise, settled: () => done };
}

/** Resolves once the gateway has tried `times` times to begin a write (a sign the write is waiting for the lock). */
function writeAttempts(t: TestGateway, times: number): Promise<void> {
  let seen = 0;
  return new Promise((resolve) => {
    const stop = t.gateway.database.onStatement((sql) => {
      if (/^\s*begin immediate/i.test(sql) && ++seen >= times) {
        stop();
        resolve();
      }
    });
  });
}

const sessionsTotal = async (t: TestGateway, key: string) => {
  const response = await t.get('/api/v1/sessions', key);
  expect(response.status).toBe(200);
  return ((await response.json()) as { data: { total: number } }).data.total;
};

describe.runIf(TEST_ENGINE === 'sqlite')('while another connection holds the SQLite write lock', () => {
  /** Takes the write lock from a connection of its own; returns its release. */
  function holdWriteLock(t: TestGateway): () => void {
    const other = new SQLite(t.dbPath, { fileMustExist: true });
    other.exec('BEGIN IMMEDIATE');
    return () => {
      other.exec('COMMIT');
      other.close();
    };
  }

  it('answers /healthz, /readyz and reads (a counted key too) while an ingestion waits, then stores it once released', async () => {
    const t = await gateway();
    const key = await t.key();
    // Counted against a tier: counting must not need the lock either.
    const counted = await t.key({ scopes: ['read:analytics'], tier: 'standard' });
    expect((await t.post('/api/v1/events', { events: [event('session_start', SESSION_A, '2026-02-01T08:00:00Z')] }, key)).status).toBe(200);

    const release = holdWriteLock(t);
    let ingestion: ReturnType<typeof watched<Response>>;
    try {
      const retrying = writeAttempts(t, 3);
      ingestion = watched(t.post('/api/v1/events', { events: [event('session_start', SESSION_B, '2026-02-01T09:00:00Z')] }, key));
      await retrying;

      expect((await t.get('/healthz')).status).toBe(200);
      expect((await t.get('/readyz')).status).toBe(200);
      expect(await sessionsTotal(t, key)).toBe(1);
      expect(await sessionsTotal(t, counted)).toBe(1);
      const graphql = await t.graphql('{ sessions { total } }', {}, counted);
      expect(graphql.status).toBe(200);
      expect(graphql.body.data?.['sessions'].total).toBe(1);
      expect(ingestion.settled(), 'the ingestion waits for the lock').toBe(false);
    } finally {
      release();
    }
    const stored = await ingestion.promise;
    expect(stored.status).toBe(200);
    expect(await stored.json()).toEqual({ data: { accepted: 1, rejected: 0, duplicates: 0, errors: [] } });
    expect(await sessionsTotal(t, key)).toBe(2);
  });

  it('answers 503 UNAVAILABLE when the lock is still held at the deadline, storing nothing; the retry after it stores', async () => {
    const t = await gateway({ TRENCHCOAT_SQLITE_BUSY_DEADLINE_MS: '200' });
    const key = await t.key();
    const batch = { events: [event('session_start', SESSION_A, '2026-02-01T08:00:00Z'), event('tool_use', SESSION_A, '2026-02-01T08:01:00Z')] };
    const release = holdWriteLock(t);
    try {
      const refused = await t.post('/api/v1/events', batch, key);
      expect(refused.status).toBe(503);
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('UNAVAILABLE');
      const hook = await t.post('/api/v1/hooks/claude-code', { session_id: SESSION_B, hook_event_name: 'SessionStart' }, key);
      expect(hook.status).toBe(503);
      const mutation = await t.graphql(
        'mutation { ingestEvents(events: [{ eventType: "session_start", sessionId: "550e8400-e29b-41d4-a716-446655440000", timestamp: "2026-02-01T08:00:00Z" }]) { accepted } }',
        {}, key,
      );
      expect(mutation.body.data?.['ingestEvents'] ?? null).toBeNull();
      expect(mutation.body.errors?.[0]?.extensions?.['code']).toBe('UNAVAILABLE');
      expect(await sessionsTotal(t, key)).toBe(0);
    } finally {
      release();
    }
    expect(await sideQuery<{ n: number }>(t, 'select count(*) as n from events')).toEqual([{ n: 0 }]);
    const stored = await t.post('/api/v1/events', batch, key);
    expect(stored.status).toBe(200);
    expect(await stored.json()).toEqual({ data: { accepted: 2, rejected: 0, duplicates: 0, errors: [] } });
  });

  it('creates and revokes keys once the lock is released, serving reads meanwhile', async () => {
    const t = await gateway();
    const key = await t.key();
    const release = holdWriteLock(t);
    let creating: ReturnType<typeof watched<{ id: string; key: string }>>;
    try {
      const retrying = writeAttempts(t, 2);
      creating = watched(t.gateway.keys.create({ account: 'acme', scopes: ['read:analytics'] }));
      await retrying;
      expect(await sessionsTotal(t, key)).toBe(0);
      expect(creating.settled()).toBe(false);
    } finally {
      release();
    }
    const created = await creating.promise;
    expect((await t.get('/api/v1/sessions', created.key)).status).toBe(200);

    const again = holdWriteLock(t);
    let revoking: ReturnType<typeof watched<void>>;
    try {
      const retrying = writeAttempts(t, 2);
      revoking = watched(t.gateway.keys.revoke(created.id));
      await retrying;
      expect((await t.get('/api/v1/sessions', created.key)).status).toBe(200);
      expect(revoking.settled()).toBe(false);
    } finally {
      again();
    }
    await revoking.promise;
    expect((await t.get('/api/v1/sessions', created.key)).status).toBe(401);
  });

  it("authenticates without writing; the keys' last use waits in memory until a flush gets the lock", async () => {
    const t = await gateway({ TRENCHCOAT_SQLITE_BUSY_DEADLINE_MS: '100' });
    const key = await t.key();
    const release = holdWriteLock(t);
    try {
      const writes: string[] = [];
      const stop = t.gateway.database.onStatement((sql) => {
        if (/^\s*(insert|update|delete|begin immediate)\b/i.test(sql)) writes.push(sql);
      });
      try {
        expect(await sessionsTotal(t, key)).toBe(0);
      } finally {
        stop();
      }
      expect(writes).toEqual([]);
      await expect(t.gateway.keys.flushLastUsed()).rejects.toMatchObject({ code: 'SQLITE_BUSY' });
    } finally {
      release();
    }
    expect(await sideQuery(t, 'select last_used_at from api_keys')).toEqual([{ last_used_at: null }]);
    await t.gateway.keys.flushLastUsed();
    const [row] = await sideQuery<{ last_used_at: number | null }>(t, 'select last_used_at from api_keys');
    expect(row?.last_used_at).toEqual(expect.any(Number));
  });
});

describe.runIf(TEST_ENGINE === 'postgres')('while another connection holds a PostgreSQL lock the ingestion needs', () =>
  describeNeeding('postgres', 'on a server (PGlite is one backend: a second connection cannot hold a lock apart)', () => {
    it('answers /healthz and reads while an ingestion waits, then stores it once released', async () => {
      const t = await gateway();
      const key = await t.key();
      expect((await t.post('/api/v1/events', { events: [event('session_start', SESSION_A, '2026-02-01T08:00:00Z')] }, key)).status).toBe(200);
      const other = new pg.Client({ connectionString: t.dbPath });
      await other.connect();
      let ingestion: ReturnType<typeof watched<Response>>;
      try {
        // Blocks writers of the events table, not its readers.
        await other.query('begin; lock table events in share mode');
        ingestion = watched(t.post('/api/v1/events', { events: [event('session_start', SESSION_B, '2026-02-01T09:00:00Z')] }, key));
        const database = new URL(t.dbPath).pathname.slice(1);
        for (;;) {
          // Inside a transaction pg_stat_activity is a snapshot kept until the transaction ends: without
          // clearing it, a first look taken before the ingestion queued would be all this loop ever saw.
          await other.query('select pg_stat_clear_snapshot()');
          const waiting = await other.query(`select count(*)::int as n from pg_stat_activity where datname = $1 and wait_event_type = 'Lock'`, [database]);
          if (waiting.rows[0].n > 0) break;
          // An ingestion that settled without waiting would leave this loop spinning until the test timeout.
          if (ingestion.settled()) break;
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        expect((await t.get('/healthz')).status).toBe(200);
        expect(await sessionsTotal(t, key)).toBe(1);
        expect(ingestion.settled()).toBe(false);
      } finally {
        await other.query('commit').catch(() => {});
        await other.end();
      }
      expect((await ingestion.promise).status).toBe(200);
      expect(await sessionsTotal(t, key)).toBe(2);
    });
  }),
);
