// docs/api.md#graphql-limits, the response budget (issue 15): a GraphQL request's estimated answer size and
// rows read are bounded before the work is done. An answer that would pass the byte limit is refused whole with
// 422 RESPONSE_TOO_LARGE (never a 500, never part of an answer), too many rows with 422 TOO_MANY_ROWS, a key's
// (or the process's) answers in flight with 429 (503) and Retry-After; each live message has its own budget.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subscribe, type SseEvent, type SseStream } from './support/sse-client.js';
import { event, SESSION_A, SESSION_B, startTestGateway, type GraphQLBody, type TestGateway } from './support/test-gateway.js';

const MiB = 1024 * 1024;
const BLOB = 65_400; // a `data` of {"blob": …, "i": n} stays under the 64 KiB an event may carry
const BIG_EVENTS = 500;
const ATTACK = `{ session(id: "${SESSION_A}") { ${Array.from({ length: 15 }, (_, i) => `e${i}: events(limit: 500, offset: 0) { data }`).join(' ')} } }`;

type Via = 'fast' | 'yoga' | 'get';

/** The same request on the fast path (a plain JSON POST), the paths Yoga answers (a POST with an Origin) and a GET. */
async function ask(t: TestGateway, via: Via, query: string, key: string): Promise<{ status: number; headers: Headers; body: GraphQLBody }> {
  const headers: Record<string, string> = { accept: 'application/json', 'x-api-key': key };
  const response = via === 'get'
    ? await fetch(`${t.url}/graphql?${new URLSearchParams({ query })}`, { headers })
    : await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json', ...(via === 'yoga' ? { origin: 'http://dashboard.example' } : {}) },
      body: JSON.stringify({ query }),
    });
  return { status: response.status, headers: response.headers, body: (await response.json()) as GraphQLBody };
}

/** The refusal alone: the status, the code, no data, and the message. */
function refusal(answer: { status: number; body: GraphQLBody }, status: number, code: string): string {
  expect(answer.status, JSON.stringify(answer.body).slice(0, 600)).toBe(status);
  expect(answer.body.data ?? null).toBeNull();
  expect(answer.body.errors, JSON.stringify(answer.body).slice(0, 600)).toHaveLength(1);
  expect(answer.body.errors![0]!.extensions?.['code']).toBe(code);
  return answer.body.errors![0]!.message;
}

/** The SQL statements a request ran on the gateway's database (PostgreSQL's relay NOTIFY left out). */
async function statementsOf<T>(t: TestGateway, run: () => Promise<T>): Promise<{ result: T; statements: string[] }> {
  const statements: string[] = [];
  const stop = t.gateway.database.onStatement((sql) => {
    if (!/pg_notify/.test(sql)) statements.push(sql);
  });
  try {
    return { result: await run(), statements };
  } finally {
    stop();
  }
}

function bigEvents(sessionId: string, from: number, count: number) {
  return Array.from({ length: count }, (_, n) => {
    const i = from + n;
    return event('tool_use', sessionId, new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(), {
      event_id: `big-${i}`,
      data: { blob: String.fromCharCode(97 + (i % 26)).repeat(BLOB), i },
    });
  });
}

describe('response budget at the defaults, over 500 events of 64 KiB in one session', () => {
  let t: TestGateway;
  let key: string;
  let other: string;
  beforeAll(async () => {
    t = await startTestGateway();
    key = await t.key({ account: 'big' });
    other = await t.key({ account: 'bystander' });
    // Batches of 70: about 4.6 MB, under the 5 MiB body limit.
    for (let i = 0; i < BIG_EVENTS; i += 70) {
      const stored = await t.post('/api/v1/events', { events: bigEvents(SESSION_A, i, Math.min(70, BIG_EVENTS - i)) }, key);
      expect(stored.status).toBe(200);
      expect(((await stored.json()) as { data: { rejected: number } }).data.rejected).toBe(0);
    }
    expect((await t.post('/api/v1/events', { events: [event('session_start', SESSION_B, '2026-01-01T00:00:00Z')] }, other)).status).toBe(200);
  }, 120_000);
  afterAll(() => t.close());

  it('refuses 15 aliased pages of 500 big events with 422 RESPONSE_TOO_LARGE on every path, reading the page once and no text', async () => {
    for (const via of ['fast', 'yoga', 'get'] as const) {
      const { result, statements } = await statementsOf(t, () => ask(t, via, ATTACK, key));
      const message = refusal(result, 422, 'RESPONSE_TOO_LARGE');
      expect(message).toMatch(/^The answer would be larger than 8 MiB: session\.e0 \(Session\.events, 500 events/);
      expect(result.body.errors![0]!.extensions?.['details']).toEqual([{ field: 'session.e0', message: expect.stringMatching(/^adds about 31\.\d MiB;/) }]);
      // One statement read the 15 aliases' page (its sizes, not its text: the text would not have fit).
      expect(statements.filter((s) => /octet_length/.test(s)), via).toHaveLength(1);
    }
  });

  it('refuses one contract-valid page of 500 such events with a message that says how much fits, and serves that much', async () => {
    const message = refusal(await ask(t, 'fast', `{ session(id: "${SESSION_A}") { events(limit: 500) { data } } }`, key), 422, 'RESPONSE_TOO_LARGE');
    expect(message).toMatch(/about \d+ of these fit \(limit: \d+, then page with offset\)/);
    const fit = Number(/\(limit: (\d+),/.exec(message)![1]);
    expect(fit).toBeGreaterThan(100);
    expect(fit).toBeLessThan(BIG_EVENTS);
    for (const offset of [0, fit]) {
      const page = await ask(t, 'fast', `{ session(id: "${SESSION_A}") { events(limit: ${fit}, offset: ${offset}) { data } } }`, key);
      expect(page.status).toBe(200);
      const events = page.body.data!['session'].events as { data: { blob: string; i: number } }[];
      expect(events).toHaveLength(Math.min(fit, BIG_EVENTS - offset));
      events.forEach((e, n) => {
        expect(e.data.i).toBe(offset + n);
        expect(e.data.blob).toBe(String.fromCharCode(97 + ((offset + n) % 26)).repeat(BLOB));
      });
    }
  });

  it('serves the whole timeline without data, and counts data only where it is selected (through fragments too)', async () => {
    const types = await ask(t, 'fast', `{ session(id: "${SESSION_A}") { events(limit: 500) { type timestamp } } }`, key);
    expect(types.status).toBe(200);
    expect(types.body.data!['session'].events).toHaveLength(BIG_EVENTS);
    const viaFragment = await ask(t, 'fast', `{ session(id: "${SESSION_A}") { events(limit: 500) { ...E } } } fragment E on SessionEvent { type ... on SessionEvent { data } }`, key);
    refusal(viaFragment, 422, 'RESPONSE_TOO_LARGE');
  });

  it('refuses an answer made large by a long alias repeated in every item before anything is read', async () => {
    const alias = 'a'.repeat(100_000);
    const { result, statements } = await statementsOf(t, () => ask(t, 'fast', `{ sessions(limit: 200) { nodes { ${alias}: id } } }`, key));
    expect(refusal(result, 422, 'RESPONSE_TOO_LARGE')).toMatch(/^The answer would be larger than 8 MiB: query \(keys, brackets and plain values/);
    expect(statements.filter((s) => /from "sessions"/.test(s))).toEqual([]);
  });

  it('leaves the key free once an answer is refused or served, and another account never sees the refusals', async () => {
    await Promise.all(Array.from({ length: 3 }, () => ask(t, 'fast', ATTACK, key)));
    const page = await ask(t, 'fast', `{ session(id: "${SESSION_A}") { events(limit: 100) { data } } }`, key);
    expect(page.status).toBe(200);
    const theirs = await ask(t, 'fast', `{ sessions { nodes { id events { type } } } session(id: "${SESSION_A}") { id } }`, other);
    expect(theirs.status).toBe(200);
    expect(theirs.body.errors).toBeUndefined();
    expect(theirs.body.data).toEqual({ sessions: { nodes: [{ id: SESSION_B, events: [{ type: 'session_start' }] }] }, session: null });
  });
});

describe('response budget with small limits from the environment', () => {
  let t: TestGateway;
  let key: string;
  const env = {
    TRENCHCOAT_GRAPHQL_MAX_RESPONSE_BYTES: String(48 * 1024),
    TRENCHCOAT_GRAPHQL_MAX_ROWS: '100',
    TRENCHCOAT_GRAPHQL_KEY_BYTES_IN_FLIGHT: String(36 * 1024),
    TRENCHCOAT_GRAPHQL_BYTES_IN_FLIGHT: String(44 * 1024),
    TRENCHCOAT_SUBSCRIPTION_INTERVAL_MS: '10',
  };
  const SMALL = '11111111-1111-4111-8111-111111111111';
  const LARGE = '22222222-2222-4222-8222-222222222222';
  const TOOLS = '33333333-3333-4333-8333-333333333333';
  const open: SseStream[] = [];
  const day = (n: number) => new Date(Date.UTC(2026, 2, 1) + n * 3_600_000).toISOString();

  beforeAll(async () => {
    t = await startTestGateway({ env, now: () => Date.parse('2026-03-10T00:00:00Z') });
    key = await t.key({ account: 'small' });
    const events = [
      // 30 sessions for analytics, 33 with the three below (2 statements × 33 sessions = 66 rows per overview).
      ...Array.from({ length: 30 }, (_, i) => event('session_start', `44444444-4444-4444-8444-${String(i).padStart(12, '0')}`, day(i))),
      event('session_start', TOOLS, day(0)),
      event('session_start', LARGE, day(0), { data: { blob: 'l'.repeat(60_000) } }),
      event('session_start', SMALL, day(0), { data: { blob: 's'.repeat(20_000) } }),
    ];
    expect((await t.post('/api/v1/events', { events }, key)).status).toBe(200);
  });
  afterAll(async () => {
    for (const s of open) s.close();
    await t.close();
  });

  it('applies the key ceiling (429 with Retry-After) and the process ceiling (503 with Retry-After) to one answer', async () => {
    // Twice 20 000 bytes of data fit the 48 KiB answer limit but not the 36 KiB a key may have in flight.
    const over = await ask(t, 'fast', `{ a: session(id: "${SMALL}") { events { data } } b: session(id: "${SMALL}") { events { data } } }`, key);
    expect(refusal(over, 429, 'RATE_LIMITED')).toMatch(/^This API key's GraphQL answers being built at once would pass 36 KiB/);
    expect(over.headers.get('retry-after')).toBe('1');
    // Released: the same key is served one of them at once.
    expect((await ask(t, 'fast', `{ session(id: "${SMALL}") { events { data } } }`, key)).status).toBe(200);

    const process = await startTestGateway({ env: { ...env, TRENCHCOAT_GRAPHQL_KEY_BYTES_IN_FLIGHT: String(48 * 1024), TRENCHCOAT_GRAPHQL_BYTES_IN_FLIGHT: String(30 * 1024) } });
    try {
      const k = await process.key();
      expect((await process.post('/api/v1/events', { events: [event('session_start', SMALL, day(0), { data: { blob: 's'.repeat(20_000) } })] }, k)).status).toBe(200);
      const busy = await ask(process, 'yoga', `{ a: session(id: "${SMALL}") { events { data } } b: session(id: "${SMALL}") { events { data } } }`, k);
      expect(refusal(busy, 503, 'UNAVAILABLE')).toMatch(/Retry after 1 second/);
      expect(busy.headers.get('retry-after')).toBe('1');
    } finally {
      await process.close();
    }
  });

  it('refuses Session.tools whose names would not fit, reading none of them, and answers the rest of the session', async () => {
    // Names count by their first 200 code points: 130 names of 397 bytes (51 610) pass 48 KiB.
    const tools = await startTestGateway({ env: { TRENCHCOAT_GRAPHQL_MAX_RESPONSE_BYTES: String(48 * 1024) } });
    try {
      const k = await tools.key();
      const uses = Array.from({ length: 130 }, (_, i) =>
        event('tool_use', TOOLS, day(i), { data: { tool_name: `${String(i).padStart(3, '0')}${'é'.repeat(197)}` } }));
      expect((await tools.post('/api/v1/events', { events: uses }, k)).status).toBe(200);
      const refused = await ask(tools, 'fast', `{ session(id: "${TOOLS}") { tools { name count } } }`, k);
      expect(refusal(refused, 422, 'RESPONSE_TOO_LARGE')).toMatch(/^The answer would be larger than 48 KiB: session\.tools \(Session\.tools, 130 tools\) adds about 50\.4 KiB/);
      const counts = await ask(tools, 'fast', `{ session(id: "${TOOLS}") { toolInvocations tools { count } } }`, k);
      expect(counts.status).toBe(422);
      const plain = await ask(tools, 'fast', `{ session(id: "${TOOLS}") { toolInvocations } }`, k);
      expect(plain.body.data).toEqual({ session: { toolInvocations: 130 } });
    } finally {
      await tools.close();
    }
  });

  it('bounds aliased analytics by the rows they read, refusing before any of them reads', async () => {
    const one = await ask(t, 'fast', '{ analytics(startDate: "2026-03-01") { overview { totalSessions } } }', key);
    expect(one.status).toBe(200);
    expect(one.body.data).toEqual({ analytics: { overview: { totalSessions: 33 } } });
    const aliased = `{ analytics(startDate: "2026-03-01") { ${Array.from({ length: 30 }, (_, i) => `o${i}: overview { totalSessions topTools { name } }`).join(' ')} } }`;
    const { result, statements } = await statementsOf(t, () => ask(t, 'fast', aliased, key));
    expect(refusal(result, 422, 'TOO_MANY_ROWS')).toMatch(/^The request would read more than 100 rows: analytics\.o1 \(Analytics\.overview, about 33 sessions in its range, read by 2 statements\) reads about 66 besides the 66 counted before it\. Ask for a shorter date range/);
    // The range was estimated once (from session_days), and no session or tool row was read.
    expect(statements.filter((s) => /session_days/.test(s))).toHaveLength(1);
    expect(statements.filter((s) => /session_tools|from "sessions"/.test(s))).toEqual([]);
  });

  it('checks every live message on its own: one over the limit is sent as the refusal, the stream goes on, nothing adds up', async () => {
    const stream = await subscribe(t.url, 'subscription { sessionUpdated { id events(limit: 1) { data } } }', { key });
    open.push(stream);
    expect(stream.status).toBe(200);
    const next = async (): Promise<SseEvent> => {
      const message = await stream.next(3000);
      expect(message?.event, JSON.stringify(message)).toBe('next');
      return message!;
    };
    // Each message of SMALL carries its first event's 20 000 bytes: six of them (120 000) pass 48 KiB only added up.
    for (let n = 1; n <= 6; n++) {
      expect((await t.post('/api/v1/events', { events: [event('prompt_submit', SMALL, day(100 + n))] }, key)).status).toBe(200);
      const message = await next();
      expect(message.data.errors, JSON.stringify(message.data).slice(0, 300)).toBeUndefined();
      expect(message.data.data.sessionUpdated.id).toBe(SMALL);
      expect(message.data.data.sessionUpdated.events[0].data.blob).toHaveLength(20_000);
    }
    expect((await t.post('/api/v1/events', { events: [event('prompt_submit', LARGE, day(200))] }, key)).status).toBe(200);
    const over = await next();
    expect(over.data.data ?? null).toBeNull();
    expect(over.data.errors).toHaveLength(1);
    expect(over.data.errors[0].extensions.code).toBe('RESPONSE_TOO_LARGE');
    expect(over.data.errors[0].message).toMatch(/sessionUpdated\.events \(Session\.events, 1 events\) adds about 58\.\d KiB/);
    expect((await t.post('/api/v1/events', { events: [event('prompt_submit', SMALL, day(300))] }, key)).status).toBe(200);
    expect((await next()).data.data.sessionUpdated.id).toBe(SMALL);
    expect(stream.ended).toBe(false);
  });
});
