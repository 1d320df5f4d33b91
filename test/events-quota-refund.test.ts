// The events quota (tier `ingestion`: 100,000 events a minute, docs/api.md#rate-limits) counts only batches that
// were stored: when the store fails (a 5xx), the charge is given back, on REST POST /api/v1/events, the Claude Code
// hooks route and the ingestEvents mutation alike, and with every counter store (memory on SQLite, the database on
// PostgreSQL, Redis). The faults are real ones made from a second connection: a trigger that aborts the
// transaction midway (500), one that fails with PostgreSQL's deadlock code on every attempt (retries exhausted,
// 500) or with cannot_connect_now (503), and on SQLite another connection holding the write lock (503).
import SQLite from 'better-sqlite3';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DatabaseCounterStore } from '../src/limits/database-counter-store.js';
import { MemoryCounterStore } from '../src/limits/memory-counter-store.js';
import type { RateCounterStore } from '../src/limits/rate-counter-store.js';
import { RateLimiter } from '../src/limits/rate-limiter.js';
import { RedisCounterStore } from '../src/limits/redis-counter-store.js';
import { WINDOW_MS } from '../src/limits/tier-limits.js';
import type { Principal } from '../src/auth/principal.js';
import { freshAccount, storedEventRows } from './support/ingest-support.js';
import { available, describeNeeding } from './support/requirements.js';
import { sideQuery } from './support/side-connection.js';
import { TEST_ENGINE } from './support/test-database.js';
import { startTestGateway, type TestGateway } from './support/test-gateway.js';

const LIMIT = 100_000;
// Mid-window, so no window turns over during a test.
const T0 = Date.parse('2026-11-29T10:00:10Z');
const POISON = 'dead0000-0000-4000-8000-0000000000ff';
const TRIGGER = 'quota_refund_poison';

function uuid(n: number): string {
  return `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
}

type Route = 'rest' | 'hook' | 'graphql';

interface Fault {
  readonly name: string;
  /** What the failing request gets over REST: 500 INTERNAL_ERROR or 503 UNAVAILABLE. */
  readonly status: 500 | 503;
  /** Starts the fault; the returned function ends it. */
  start(t: TestGateway): Promise<() => Promise<void>>;
}

/** A trigger on `sessions` that fails the insert of the poisoned session's row: after the batch's events were inserted. */
function poisonTrigger(name: string, status: Fault['status'], pgErrcode?: string): Fault {
  return {
    name,
    status,
    async start(t) {
      if (t.gateway.database.dialect === 'sqlite') {
        await sideQuery(t, `create trigger ${TRIGGER} before insert on sessions when new.id = '${POISON}'
                 begin select raise(abort, 'poisoned'); end`);
        return async () => void (await sideQuery(t, `drop trigger if exists ${TRIGGER}`));
      }
      await sideQuery(t, `create or replace function ${TRIGGER}() returns trigger language plpgsql as $$
        begin
          if new.id = '${POISON}' then raise exception 'poisoned' using errcode = '${pgErrcode ?? 'P0001'}'; end if;
          return new;
        end $$`);
      await sideQuery(t, `create trigger ${TRIGGER} before insert on sessions for each row execute function ${TRIGGER}()`);
      return async () => void (await sideQuery(t, `drop trigger if exists ${TRIGGER} on sessions`));
    },
  };
}

/** Another connection holds SQLite's write lock: the gateway's transaction waits out its busy timeout and fails. */
const writeLock: Fault = {
  name: 'another connection holds the write lock (503)',
  status: 503,
  async start(t) {
    const holder = new SQLite(t.dbPath, { fileMustExist: true });
    holder.exec('begin immediate');
    return async () => {
      holder.exec('rollback');
      holder.close();
    };
  },
};

const FAULTS: Fault[] = TEST_ENGINE === 'sqlite'
  ? [poisonTrigger('a trigger aborts the transaction midway (500)', 500), writeLock]
  : [
      poisonTrigger('a trigger aborts the transaction midway (500)', 500, 'P0001'),
      poisonTrigger('a deadlock on every attempt, retries exhausted (500)', 500, '40P01'),
      poisonTrigger('the server answers cannot_connect_now (503)', 503, '57P03'),
    ];

/**
 * How each route answers a failed store: REST and the hook route with the REST error; GraphQL with `ingestEvents: null`
 * and the error masked (an unexpected one is a 200 with a masked INTERNAL_SERVER_ERROR, as for any field) or UNAVAILABLE.
 */
function failureAnswer(route: Route, fault: Fault): { status: number; code: string } {
  if (route !== 'graphql') return { status: fault.status, code: fault.status === 503 ? 'UNAVAILABLE' : 'INTERNAL_ERROR' };
  return fault.status === 503 ? { status: 503, code: 'UNAVAILABLE' } : { status: 200, code: 'INTERNAL_SERVER_ERROR' };
}

/** The batch each route sends: the hook route stores one event, the others a full batch touching the poisoned session. */
const SIZE: Record<Route, number> = { rest: 1000, hook: 1, graphql: 1000 };

let batchCounter = 0;
function restEvents(size: number, withPoison: boolean) {
  const tag = `${process.pid}-${++batchCounter}`;
  return Array.from({ length: size }, (_, i) => ({
    event_type: 'tool_use',
    session_id: withPoison && i === size - 1 ? POISON : uuid(i % 40),
    timestamp: '2026-11-29T09:00:00Z',
    event_id: `q-${tag}-${i}`,
    data: { tool_name: 'Read' },
  }));
}

async function send(t: TestGateway, route: Route, key: string, size: number, withPoison: boolean): Promise<{ status: number; code: string | undefined }> {
  if (route === 'hook') {
    const response = await t.post('/api/v1/hooks/claude-code', {
      session_id: withPoison ? POISON : uuid(1), hook_event_name: 'UserPromptSubmit', prompt: 'hello',
    }, key);
    const body = (await response.json()) as { error?: { code: string } };
    return { status: response.status, code: body.error?.code };
  }
  const events = restEvents(size, withPoison);
  if (route === 'rest') {
    const response = await t.post('/api/v1/events', { events }, key);
    const body = (await response.json()) as { error?: { code: string } };
    return { status: response.status, code: body.error?.code };
  }
  const response = await fetch(`${t.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', 'x-api-key': key },
    body: JSON.stringify({
      query: 'mutation($events: [EventInput!]!) { ingestEvents(events: $events) { accepted } }',
      variables: {
        events: events.map((e) => ({ eventType: e.event_type, sessionId: e.session_id, timestamp: e.timestamp, eventId: e.event_id, data: e.data })),
      },
    }),
  });
  const body = (await response.json()) as { data?: { ingestEvents: unknown } | null; errors?: { extensions?: { code?: string } }[] };
  if (!body.errors?.length) return { status: response.status, code: undefined };
  expect(body.data ?? { ingestEvents: null }).toStrictEqual({ ingestEvents: null });
  return { status: response.status, code: body.errors[0]!.extensions?.code ?? 'no code' };
}

/**
 * A fresh `ingestion` key that has used `used` events this minute. The 99 batches that would take stand in as one
 * charge through the gateway's own limiter and counter store.
 */
async function keyThatUsed(t: TestGateway, used: number): Promise<{ key: string; principal: Principal }> {
  const key = await t.key({ account: freshAccount('quota'), scopes: ['write:events'], tier: 'ingestion' });
  const principal = (await t.gateway.keys.authenticate(key, T0))!;
  await t.gateway.services.limiter.events(principal, used, async () => undefined);
  return { key, principal };
}

/** Exactly `left` more events fit this minute: a batch of that size is stored, and then one more event is refused. */
async function expectLeft(t: TestGateway, key: string, left: number): Promise<void> {
  const fits = await send(t, 'rest', key, left, false);
  expect(fits, `a batch of the ${left} events left`).toStrictEqual({ status: 200, code: undefined });
  const over = await send(t, 'rest', key, 1, false);
  expect(over, 'one event past the quota').toStrictEqual({ status: 429, code: 'RATE_LIMITED' });
}

function quotaRefundSpecs(env: () => Record<string, string>) {
  let t: TestGateway;
  beforeAll(async () => {
    // The write-lock fault waits out the busy deadline: half a second tells the same as the default five.
    t = await startTestGateway({ now: () => T0, env: { TRENCHCOAT_SQLITE_BUSY_DEADLINE_MS: '500', ...env() } });
  });
  afterAll(() => t?.close());

  let endFault: (() => Promise<void>) | null = null;
  afterEach(async () => {
    await endFault?.();
    endFault = null;
  });

  for (const fault of FAULTS) {
    for (const route of ['rest', 'hook', 'graphql'] as const) {
      it(`${route}: ${fault.name}: nothing stored, and the quota is what it was before`, async () => {
        const size = SIZE[route];
        const { key } = await keyThatUsed(t, LIMIT - size);
        const rowsBefore = await storedEventRows(t);
        endFault = await fault.start(t);
        const failed = await send(t, route, key, size, true);
        await endFault();
        endFault = null;

        expect(failed).toStrictEqual(failureAnswer(route, fault));
        expect(await storedEventRows(t)).toBe(rowsBefore);
        await expectLeft(t, key, size);
      }, 60_000);
    }
  }

  it('graphql: a batch past the quota is refused whole with 429, nothing stored, and nothing taken', async () => {
    const { key } = await keyThatUsed(t, LIMIT - 500);
    const rowsBefore = await storedEventRows(t);
    expect(await send(t, 'graphql', key, 1000, false)).toStrictEqual({ status: 429, code: 'RATE_LIMITED' });
    expect(await storedEventRows(t)).toBe(rowsBefore);
    await expectLeft(t, key, 500);
  });

  it('a batch that is stored keeps its charge', async () => {
    const { key } = await keyThatUsed(t, LIMIT - 1500);
    expect(await send(t, 'graphql', key, 1000, false)).toStrictEqual({ status: 200, code: undefined });
    await expectLeft(t, key, 500);
  });
}

describe(`the events quota is given back when the store fails (${TEST_ENGINE === 'sqlite' ? 'memory' : 'database'} counter store)`, () => {
  quotaRefundSpecs(() => ({}));
});

describeNeeding('redis', 'the events quota is given back when the store fails (Redis counter store)', () => {
  quotaRefundSpecs(() => ({ REDIS_URL: available('redis')!, TRENCHCOAT_REDIS_CHANNEL: `tc_refund_${process.pid}_${Date.now()}` }));
});

// The give-back itself, on each counter store: atomic, never below zero, into the window the charge was taken from.
// Two store objects on one database or one Redis stand for two gateway processes.

interface StorePair {
  readonly a: RateCounterStore;
  readonly b: RateCounterStore;
}

function giveBackSpecs(open: () => Promise<StorePair & { close(): Promise<void> }>) {
  let stores: StorePair & { close(): Promise<void> };
  beforeAll(async () => {
    stores = await open();
  });
  afterAll(() => stores?.close());

  let keyCounter = 0;
  const freshKeyId = () => `refund-${process.pid}-${Date.now()}-${++keyCounter}`;
  const W = T0 - (T0 % WINDOW_MS);
  /** The count the store holds (adding nothing is not allowed: add one and read one less). */
  const count = async (store: RateCounterStore, keyId: string, windowStart = W) => (await store.add(keyId, 'events', windowStart, 1)) - 1;

  it('charges and give-backs from two processes at once: what is left is exactly the charges kept', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.record({ amount: fc.integer({ min: 1, max: 5000 }), refunded: fc.boolean(), viaB: fc.boolean() }), { minLength: 1, maxLength: 12 }), async (charges) => {
        const keyId = freshKeyId();
        await Promise.all(charges.map(async ({ amount, refunded, viaB }) => {
          await (viaB ? stores.b : stores.a).add(keyId, 'events', W, amount);
          if (refunded) await (viaB ? stores.a : stores.b).giveBack(keyId, 'events', W, amount);
        }));
        const kept = charges.filter((c) => !c.refunded).reduce((sum, c) => sum + c.amount, 0);
        expect(await count(stores.a, keyId)).toBe(kept);
      }),
      { numRuns: 25 },
    );
  });

  it('never goes below zero, and a window the store does not hold stays absent', async () => {
    const keyId = freshKeyId();
    await stores.a.add(keyId, 'events', W, 10);
    await stores.b.giveBack(keyId, 'events', W, 25);
    expect(await stores.a.add(keyId, 'events', W, 3)).toBe(3);
    await stores.b.giveBack(keyId, 'events', W - WINDOW_MS, 1000);
    expect(await stores.a.add(keyId, 'events', W - WINDOW_MS, 7)).toBe(7);
  });

  it('the limiter gives a failed batch back to the window it was charged in, not the one the failure came in', async () => {
    let clock = T0;
    const limiter = new RateLimiter(stores.a, () => clock);
    const principal: Principal = {
      keyId: freshKeyId(), keyPrefix: 'ct_live_x', accountId: 1, accountSlug: 'quota', scopes: new Set(['write:events'] as const), tier: 'ingestion',
    };
    const failure = new Error('the store failed');
    const failed = limiter.events(principal, 600, async () => {
      // The batch was charged in this window; while it is being stored the clock passes into the next one,
      // where another batch of the key is charged and kept.
      clock = T0 + WINDOW_MS;
      await limiter.events(principal, 250, async () => undefined);
      throw failure;
    });
    await expect(failed).rejects.toBe(failure);
    // The current window first: the memory store holds only a key's latest window.
    expect(await count(stores.b, principal.keyId, W + WINDOW_MS)).toBe(250);
    expect(await count(stores.b, principal.keyId, W)).toBe(0);
    await limiter.close();
  });
}

describe('give-back: the memory counter store (one process)', () => {
  giveBackSpecs(async () => {
    const store = new MemoryCounterStore();
    return { a: store, b: store, close: async () => {} };
  });
});

describe(`give-back: the database counter store (${TEST_ENGINE})`, () => {
  giveBackSpecs(async () => {
    const t = await startTestGateway();
    return { a: new DatabaseCounterStore(t.gateway.database.db), b: new DatabaseCounterStore(t.gateway.database.db), close: () => t.close() };
  });
});

describeNeeding('redis', 'give-back: the Redis counter store', () => {
  giveBackSpecs(async () => {
    const prefix = `tc_refund_store_${process.pid}_${Date.now()}`;
    const a = new RedisCounterStore(available('redis')!, prefix);
    const b = new RedisCounterStore(available('redis')!, prefix);
    return { a, b, close: async () => void (await Promise.all([a.close(), b.close()])) };
  });
});
