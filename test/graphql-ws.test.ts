// GraphQL over WebSocket (graphql-ws protocol) on /graphql (issue 16, item 5), held to what issue 15 asks of every
// transport: the key in connectionParams admitted as over HTTP, every limit applied per operation and per message,
// the per-key subscription cap shared with SSE, revocation closing the socket, slow readers cut, frames bounded,
// pages of a disallowed origin refused at the handshake.
import { createClient as createSseClient, NetworkError } from 'graphql-sse';
import { createClient, type Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { parseExposition, valueOf } from './support/prometheus-text.js';
import { subscribe } from './support/sse-client.js';
import { event, startTestGateway, type TestGateway } from './support/test-gateway.js';

const PROTOCOL = 'graphql-transport-ws';
const WATCH = 'subscription($id: ID) { sessionUpdated(sessionId: $id) { id eventCount } }';
const TOKEN = 'graphql-ws-metrics-token-0123456789';

function minute(n: number): string {
  return new Date(Date.parse('2026-06-01T08:00:00Z') + n * 60_000).toISOString();
}

function sessionId(n: number): string {
  return `3e5b0000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
}

function wsUrl(t: TestGateway): string {
  return `${t.url.replace(/^http/, 'ws')}/graphql`;
}

interface Closed {
  readonly code: number;
  readonly reason: string;
}

/** A socket speaking graphql-transport-ws by hand: what it received, and how it closed. */
interface RawSocket {
  readonly socket: WebSocket;
  readonly received: any[];
  readonly closed: Promise<Closed>;
  send(message: unknown): void;
  /** The first message received that `match` accepts (waiting for it), or null if the socket closes first. */
  message(match: (message: any) => boolean): Promise<any>;
}

/** Opens a socket and, unless `init` is null, sends connection_init with `init` as its payload and waits for the ack or the close. */
async function openRaw(t: TestGateway, init: Record<string, unknown> | null, headers: Record<string, string> = {}): Promise<RawSocket> {
  const socket = new WebSocket(wsUrl(t), PROTOCOL, { headers });
  const received: any[] = [];
  const listeners = new Set<() => void>();
  socket.on('message', (data) => {
    received.push(JSON.parse(String(data)));
    for (const listener of [...listeners]) listener();
  });
  socket.on('error', () => {});
  const closed = new Promise<Closed>((resolve) =>
    socket.once('close', (code, reason) => {
      resolve({ code, reason: String(reason) });
      for (const listener of [...listeners]) listener();
    }),
  );
  const raw: RawSocket = {
    socket,
    received,
    closed,
    send: (message) => socket.send(JSON.stringify(message)),
    message: (match) =>
      new Promise((resolve) => {
        const check = () => {
          const found = received.find(match);
          if (found !== undefined || socket.readyState === WebSocket.CLOSED) {
            listeners.delete(check);
            resolve(found ?? null);
          }
        };
        listeners.add(check);
        check();
      }),
  };
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('unexpected-response', (_req, res) => reject(Object.assign(new Error(`handshake answered ${res.statusCode}`), { status: res.statusCode })));
    socket.once('close', () => reject(new Error('closed before the handshake completed')));
  });
  if (init !== null && socket.readyState === WebSocket.OPEN) {
    raw.send({ type: 'connection_init', payload: init });
    await raw.message((m) => m.type === 'connection_ack');
  }
  return raw;
}

/** The handshake's refusal: its HTTP status and JSON body (no socket opens). */
function refusedHandshake(t: TestGateway, headers: Record<string, string>, protocols: string | string[] = PROTOCOL): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(wsUrl(t), protocols, { headers });
    socket.on('error', () => {});
    socket.once('open', () => reject(new Error('the handshake was accepted')));
    socket.once('unexpected-response', (_req, res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
    });
  });
}

function wsClient(t: TestGateway, connectionParams: Record<string, unknown> | undefined): Client {
  return createClient({ url: wsUrl(t), webSocketImpl: WebSocket, connectionParams, retryAttempts: 0, lazy: true });
}

/** One operation through the graphql-ws client: its first result, or the error its sink got. */
async function once(client: Client, query: string, variables: Record<string, unknown> = {}): Promise<{ result?: any; error?: any }> {
  const results = client.iterate({ query, variables });
  try {
    const { value } = await results.next();
    return { result: value };
  } catch (error) {
    return { error };
  } finally {
    await results.return?.();
  }
}

async function cuts(t: TestGateway): Promise<{ buffer: number; timeout: number }> {
  const response = await t.get('/metrics', null, { authorization: `Bearer ${TOKEN}` });
  const exposition = parseExposition(await response.text());
  const name = 'trenchcoat_live_streams_cut_total';
  return { buffer: valueOf(exposition, name, { reason: 'buffer' }), timeout: valueOf(exposition, name, { reason: 'timeout' }) };
}

describe('GraphQL over WebSocket on /graphql', () => {
  let t: TestGateway;
  let key: string;
  beforeAll(async () => {
    t = await startTestGateway({ env: { TRENCHCOAT_KEY_RECHECK_MS: '200', TRENCHCOAT_SUBSCRIPTIONS_PER_KEY: '2' } });
    key = await t.key({ account: 'sockets' });
  });
  afterAll(() => t.close());

  it('delivers sessionUpdated for an event ingested over REST, the key sent as Authorization: Bearer in connectionParams', async () => {
    const client = wsClient(t, { Authorization: `Bearer ${key}` });
    const updates = client.iterate({ query: WATCH, variables: { id: sessionId(1) } });
    try {
      const first = updates.next();
      await expect.poll(() => t.gateway.feed.size).toBe(1);
      const response = await t.post('/api/v1/events', { events: [event('prompt_submit', sessionId(1), minute(1))] }, key);
      expect(response.status).toBe(200);
      expect((await first).value).toEqual({ data: { sessionUpdated: { id: sessionId(1), eventCount: 1 } } });
    } finally {
      await updates.return?.();
      await client.dispose();
    }
  });

  it('runs queries and mutations with the key of connection_init (X-API-Key, any letter case)', async () => {
    const client = wsClient(t, { 'X-API-Key': key });
    try {
      const { result } = await once(client, 'query($id: ID!) { session(id: $id) { id eventCount } }', { id: sessionId(1) });
      expect(result).toEqual({ data: { session: { id: sessionId(1), eventCount: 1 } } });
    } finally {
      await client.dispose();
    }
  });

  it('closes with 4401 at connection_init when the key is unknown, naming the problem as HTTP does', async () => {
    const raw = await openRaw(t, { 'x-api-key': 'ct_live_0123456789abcdefghijklmnopqrstuv' });
    expect(await raw.closed).toEqual({ code: 4401, reason: 'Missing or invalid API key.' });
    expect(raw.received.some((m) => m.type === 'connection_ack')).toBe(false);
  });

  it('closes with 4400 at connection_init when X-API-Key and Authorization carry different keys', async () => {
    const other = await t.key({ account: 'sockets' });
    const raw = await openRaw(t, { 'x-api-key': key, authorization: `Bearer ${other}` });
    const closed = await raw.closed;
    expect(closed.code).toBe(4400);
    expect(closed.reason).toMatch(/different keys/);
  });

  it('gives a socket without a key what HTTP gives a caller without one: introspection answers, sessionUpdated is UNAUTHENTICATED', async () => {
    const client = wsClient(t, undefined);
    try {
      expect((await once(client, '{ __schema { queryType { name } } }')).result).toEqual({ data: { __schema: { queryType: { name: 'Query' } } } });
      const { result } = await once(client, WATCH);
      expect(result.errors[0].extensions.code).toBe('UNAUTHENTICATED');
      expect(result.errors[0].extensions.http).toBeUndefined();
    } finally {
      await client.dispose();
    }
  });

  it('ends the stream with UNAUTHENTICATED and closes the socket with 4403 once its key is revoked', async () => {
    const created = await t.gateway.keys.create({ account: 'sockets', scopes: ['read:analytics'], tier: 'unlimited' });
    const raw = await openRaw(t, { 'x-api-key': created.key });
    raw.send({ id: 'w', type: 'subscribe', payload: { query: WATCH } });
    await expect.poll(() => t.gateway.feed.size).toBe(1);
    await t.gateway.keys.revoke(created.id);
    const closed = await raw.closed;
    expect(closed.code).toBe(4403);
    expect(closed.reason).toMatch(/revoked/);
    const last = raw.received.find((m) => m.id === 'w' && m.type === 'next');
    expect(last.payload.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect(t.gateway.feed.size).toBe(0);
  });

  it('closes with 4403 at the next operation when the key was revoked while the socket held no subscription', async () => {
    const created = await t.gateway.keys.create({ account: 'sockets', scopes: ['read:analytics'], tier: 'unlimited' });
    const raw = await openRaw(t, { 'x-api-key': created.key });
    await t.gateway.keys.revoke(created.id);
    raw.send({ id: 'q', type: 'subscribe', payload: { query: '{ __typename }' } });
    expect((await raw.closed).code).toBe(4403);
    expect(raw.received.some((m) => m.id === 'q' && m.type === 'next')).toBe(false);
  });

  it('closes with 1009 a socket that sends a message over 64 KiB, before parsing it', async () => {
    const raw = await openRaw(t, { 'x-api-key': key });
    raw.send({ id: 'big', type: 'subscribe', payload: { query: `{ __typename } # ${'x'.repeat(64 * 1024)}` } });
    expect((await raw.closed).code).toBe(1009);
    expect(raw.received.some((m) => m.id === 'big')).toBe(false);
  });

  it('closes with 4400 a message nested deeper than the JSON limit of a caller without a key', async () => {
    const raw = await openRaw(t, {});
    raw.send({ id: 'deep', type: 'subscribe', payload: { query: 'query($v: JSONObject) { __typename }', variables: { v: JSON.parse(`${'['.repeat(100)}${']'.repeat(100)}`) } } });
    const closed = await raw.closed;
    expect(closed.code).toBe(4400);
    expect(closed.reason).toMatch(/levels deep/);
  });

  it('closes with 4408 a socket that sends no connection_init within the headers timeout', async () => {
    const quick = await startTestGateway({ env: { TRENCHCOAT_HEADERS_TIMEOUT_MS: '200' } });
    try {
      const raw = await openRaw(quick, null);
      expect((await raw.closed).code).toBe(4408);
    } finally {
      await quick.close();
    }
  });

  it('closes a socket without a key after TRENCHCOAT_REQUEST_TIMEOUT_MS; one with a key stays', async () => {
    const quick = await startTestGateway({ env: { TRENCHCOAT_HEADERS_TIMEOUT_MS: '100', TRENCHCOAT_REQUEST_TIMEOUT_MS: '300' } });
    try {
      const keyed = await openRaw(quick, { 'x-api-key': await quick.key() });
      const anonymous = await openRaw(quick, {});
      const closed = await anonymous.closed;
      expect(closed.code).toBe(1000);
      expect(closed.reason).toMatch(/without a key/);
      expect(keyed.socket.readyState).toBe(WebSocket.OPEN);
      keyed.socket.close();
    } finally {
      await quick.close();
    }
  });

  it('refuses a handshake that does not offer graphql-transport-ws with 400 naming it, before any socket opens', async () => {
    const refused = await refusedHandshake(t, {}, 'graphql-ws');
    expect(refused.status).toBe(400);
    expect(refused.body.errors[0].extensions.code).toBe('VALIDATION_ERROR');
    expect(refused.body.errors[0].message).toMatch(/graphql-transport-ws/);
  });

  it('shares the per-key subscription cap with SSE, and a closed socket frees its slot at once', async () => {
    const own = await t.key({ account: 'capped' });
    const sse = await subscribe(t.url, WATCH, { key: own });
    expect(sse.status).toBe(200);
    const raw = await openRaw(t, { 'x-api-key': own });
    raw.send({ id: 'one', type: 'subscribe', payload: { query: WATCH } });
    await expect.poll(() => t.gateway.feed.size).toBe(2);
    // The cap (2) is reached with one SSE stream and one socket subscription: both transports refuse a third.
    raw.send({ id: 'two', type: 'subscribe', payload: { query: WATCH } });
    const refused = await raw.message((m) => m.id === 'two' && m.type === 'next');
    expect(refused.payload.errors[0].extensions.code).toBe('RATE_LIMITED');
    const third = await subscribe(t.url, WATCH, { key: own });
    expect(third.status).toBe(429);
    third.close();
    raw.socket.terminate();
    await raw.closed;
    // The server hears the close a moment after the client does: the slot goes then, not after a timeout.
    await expect.poll(() => t.gateway.feed.size, { timeout: 1000 }).toBe(1);
    const again = await subscribe(t.url, WATCH, { key: own });
    expect(again.status).toBe(200);
    for (const s of [sse, again]) s.close();
  });

  it('closes every socket (1001) when the gateway stops, which then stops', async () => {
    const stopping = await startTestGateway();
    const raw = await openRaw(stopping, { 'x-api-key': await stopping.key() });
    raw.send({ id: 'w', type: 'subscribe', payload: { query: WATCH } });
    await expect.poll(() => stopping.gateway.feed.size).toBe(1);
    await stopping.close();
    expect((await raw.closed).code).toBe(1001);
  });
});

describe('GraphQL limits over WebSocket, per operation and per message', () => {
  let t: TestGateway;
  let key: string;
  beforeAll(async () => {
    t = await startTestGateway({
      env: { TRENCHCOAT_GRAPHQL_MAX_DEPTH: '3', TRENCHCOAT_GRAPHQL_MAX_COST: '100', TRENCHCOAT_GRAPHQL_MAX_RESPONSE_BYTES: '2048', TRENCHCOAT_SUBSCRIPTION_INTERVAL_MS: '10' },
    });
    key = await t.key();
  });
  afterAll(() => t.close());

  /** The errors an operation was answered with: an `error` message, or a `next` carrying errors. */
  async function errorsOf(raw: RawSocket, id: string): Promise<any[]> {
    const answer = await raw.message((m) => m.id === id && m.type !== 'complete');
    expect(answer, id).not.toBeNull();
    return answer.type === 'error' ? answer.payload : (answer.payload.errors ?? []);
  }

  it('refuses an operation over the depth, cost or response-size limit with errors naming it, and the socket goes on', async () => {
    const raw = await openRaw(t, { 'x-api-key': key });
    const cases: [string, string, string][] = [
      ['{ sessions(limit: 1) { nodes { tools { name } } } }', 'VALIDATION_ERROR', 'Query depth 4 exceeds the limit of 3.'],
      ['{ sessions(limit: 100) { total } }', 'VALIDATION_ERROR', 'Query cost 101 exceeds the limit of 100.'],
      ['subscription { sessionUpdated { events(limit: 40) { type timestamp } } }', 'RESPONSE_TOO_LARGE', ''],
    ];
    for (const [n, [query, code, message]] of cases.entries()) {
      const id = `refused-${n}`;
      raw.send({ id, type: 'subscribe', payload: { query } });
      const errors = await errorsOf(raw, id);
      expect(errors[0]?.extensions.code, JSON.stringify(errors)).toBe(code);
      if (message) expect(errors[0].message, query).toBe(message);
      expect(errors[0].extensions.http, query).toBeUndefined();
    }
    raw.send({ id: 'within', type: 'subscribe', payload: { query: '{ sessions(limit: 4) { total } }' } });
    expect((await raw.message((m) => m.id === 'within')).payload).toEqual({ data: { sessions: { total: 0 } } });
    expect(raw.socket.readyState).toBe(WebSocket.OPEN);
    raw.socket.close();
  });

  it('refuses each live message over the response budget on its own (RESPONSE_TOO_LARGE) and the stream goes on', async () => {
    const raw = await openRaw(t, { 'x-api-key': key });
    raw.send({ id: 'live', type: 'subscribe', payload: { query: 'subscription { sessionUpdated { id events(limit: 5) { data } } }' } });
    await expect.poll(() => t.gateway.feed.size).toBe(1);
    const big = await t.post('/api/v1/events', { events: [event('tool_use', sessionId(70), minute(1), { data: { tool_name: 'Read', padding: 'x'.repeat(4096) } })] }, key);
    expect(big.status).toBe(200);
    const refused = await raw.message((m) => m.id === 'live' && m.type === 'next');
    expect(refused.payload.errors[0].extensions.code).toBe('RESPONSE_TOO_LARGE');
    expect(refused.payload.data ?? null).toBeNull();
    const small = await t.post('/api/v1/events', { events: [event('prompt_submit', sessionId(71), minute(1))] }, key);
    expect(small.status).toBe(200);
    const served = await raw.message((m) => m.id === 'live' && m.type === 'next' && m.payload.data?.sessionUpdated?.id === sessionId(71));
    expect(served.payload.errors).toBeUndefined();
    raw.socket.close();
  });
});

describe('a socket that stops reading', () => {
  let t: TestGateway;
  let key: string;
  beforeAll(async () => {
    t = await startTestGateway({
      env: {
        TRENCHCOAT_STREAM_BUFFER_BYTES: String(64 * 1024),
        TRENCHCOAT_SUBSCRIPTION_INTERVAL_MS: '10',
        TRENCHCOAT_METRICS_TOKEN: TOKEN,
      },
    });
    key = await t.key();
  });
  afterAll(() => t.close());

  it('is cut once more than TRENCHCOAT_STREAM_BUFFER_BYTES wait unsent: socket dropped, slot freed, counted as buffer', async () => {
    const id = sessionId(50);
    const padding = 'x'.repeat(10_000);
    const seeded = await t.post('/api/v1/events', { events: Array.from({ length: 20 }, (_, i) => event('tool_use', id, minute(i), { data: { tool_name: 'Read', padding } })) }, key);
    expect(seeded.status).toBe(200);
    const raw = await openRaw(t, { 'x-api-key': key });
    raw.send({ id: 'big', type: 'subscribe', payload: { query: 'subscription($id: ID) { sessionUpdated(sessionId: $id) { events(limit: 20) { data } } }', variables: { id } } });
    await expect.poll(() => t.gateway.feed.size).toBe(1);
    raw.socket.pause();
    for (let i = 0; i < 500 && (await cuts(t)).buffer === 0; i++) {
      const response = await t.post('/api/v1/events', { events: [event('prompt_submit', id, minute(100 + i))] }, key);
      expect(response.status).toBe(200);
    }
    expect(await cuts(t)).toEqual({ buffer: 1, timeout: 0 });
    expect(t.gateway.feed.size).toBe(0);
    raw.socket.resume();
    const closed = await raw.closed;
    // Dropped, not closed: no close frame was sent.
    expect(closed.code).toBe(1006);
  });
});

describe('a socket that stops reading under a large buffer budget', () => {
  let t: TestGateway;
  let key: string;
  beforeAll(async () => {
    t = await startTestGateway({ env: { TRENCHCOAT_STREAM_WRITE_TIMEOUT_MS: '300', TRENCHCOAT_METRICS_TOKEN: TOKEN } });
    key = await t.key();
  });
  afterAll(() => t.close());

  it('is cut when it takes nothing for TRENCHCOAT_STREAM_WRITE_TIMEOUT_MS (not even a ping), counted as timeout, its slot freed', async () => {
    const raw = await openRaw(t, { 'x-api-key': key });
    raw.send({ id: 'w', type: 'subscribe', payload: { query: WATCH } });
    await expect.poll(() => t.gateway.feed.size).toBe(1);
    raw.socket.pause();
    await expect.poll(async () => (await cuts(t)).timeout, { timeout: 10_000 }).toBe(1);
    expect((await cuts(t)).buffer).toBe(0);
    expect(t.gateway.feed.size).toBe(0);
    raw.socket.resume();
    expect((await raw.closed).code).toBe(1006);
  });

  it('keeps a socket that reads, however quiet', async () => {
    const raw = await openRaw(t, { 'x-api-key': key });
    const before = await cuts(t);
    // Several write timeouts pass: its pings are answered, so it stays.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(raw.socket.readyState).toBe(WebSocket.OPEN);
    expect(await cuts(t)).toEqual(before);
    raw.socket.close();
  });
});

describe('sockets and the connection ceiling', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway({ env: { TRENCHCOAT_MAX_CONNECTIONS: '2' } });
  });
  afterAll(() => t.close());

  it('count against TRENCHCOAT_MAX_CONNECTIONS for as long as they are open', async () => {
    const key = await t.key();
    const open = [await openRaw(t, { 'x-api-key': key }), await openRaw(t, { 'x-api-key': key })];
    await expect(openRaw(t, null)).rejects.toThrow();
    open[0]!.socket.close();
    await open[0]!.closed;
    let third: RawSocket | undefined;
    await expect
      .poll(async () => {
        third = await openRaw(t, null).catch(() => undefined);
        return third?.socket.readyState;
      })
      .toBe(WebSocket.OPEN);
    for (const raw of [open[1]!, third!]) raw.socket.close();
  });
});

describe('handshakes from pages', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway({ env: { TRENCHCOAT_CORS_ORIGINS: 'https://app.example' } });
  });
  afterAll(() => t.close());

  it('refuses a page of an origin the CORS policy does not allow with 403; an allowed origin opens', async () => {
    const refused = await refusedHandshake(t, { origin: 'https://evil.example' });
    expect(refused.status).toBe(403);
    expect(refused.body.errors[0].extensions.code).toBe('FORBIDDEN');
    const allowed = await openRaw(t, null, { origin: 'https://app.example' });
    expect(allowed.socket.readyState).toBe(WebSocket.OPEN);
    allowed.socket.close();
  });
});

describe('handshakes from one client address', () => {
  let t: TestGateway;
  beforeAll(async () => {
    // One fixed minute: the per-client window cannot roll over mid-test.
    const now = Date.parse('2026-06-01T08:00:30Z');
    t = await startTestGateway({ now: () => now, env: { TRENCHCOAT_ANONYMOUS_REQUESTS_PER_MINUTE: '3' } });
  });
  afterAll(() => t.close());

  it("count against the client's limit for callers without a key, a key or not: 429 past it, before any socket opens", async () => {
    const keyed = await openRaw(t, { 'x-api-key': await t.key() });
    for (let i = 0; i < 2; i++) (await openRaw(t, null)).socket.close();
    const refused = await refusedHandshake(t, {});
    expect(refused.status).toBe(429);
    expect(refused.body.errors[0].extensions.code).toBe('RATE_LIMITED');
    keyed.socket.close();
  });
});

describe("graphql-sse's single connection mode", () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway();
  });
  afterAll(() => t.close());

  it('is refused at its reservation (PUT /graphql) with 405: the client fails at once, without retrying', async () => {
    const client = createSseClient({ url: `${t.url}/graphql`, headers: { 'x-api-key': await t.key() }, singleConnection: true, retryAttempts: 0 });
    try {
      const error = await client.iterate({ query: WATCH }).next().then(() => null, (e: unknown) => e);
      expect(error).toBeInstanceOf(NetworkError);
      expect((error as NetworkError<Response>).response?.status).toBe(405);
    } finally {
      client.dispose();
    }
  });

  it('names the transports served in the body of that 405 (the client drops it unread)', async () => {
    // What the client sends: a PUT without a body, the key in its headers.
    const response = await fetch(`${t.url}/graphql`, { method: 'PUT', headers: { 'x-api-key': await t.key() } });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, HEAD, POST');
    const body = (await response.json()) as { errors: { message: string; extensions: { code: string } }[] };
    expect(body.errors[0]!.extensions.code).toBe('METHOD_NOT_ALLOWED');
    expect(body.errors[0]!.message).toMatch(/single connection mode .* not supported/);
    expect(body.errors[0]!.message).toMatch(/text\/event-stream.*graphql-transport-ws/);
  });
});
