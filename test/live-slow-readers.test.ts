// Slow and vanished stream readers (issue 15, item 4). A live stream whose client does not take what is sent is
// cut: more than TRENCHCOAT_STREAM_BUFFER_BYTES written and not taken, or unsent bytes that see no progress for
// TRENCHCOAT_STREAM_WRITE_TIMEOUT_MS, close its connection, free its slot and count in
// trenchcoat_live_streams_cut_total{reason}. A client that leaves frees its slot at once. Readers that read are
// never cut and get every update.
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';
import { parseExposition, valueOf } from './support/prometheus-text.js';
import { subscribe, type SseEvent } from './support/sse-client.js';
import { event, startTestGateway, type TestGateway } from './support/test-gateway.js';
import { TEST_ENGINE } from './support/test-database.js';

const TOKEN = 'slow-readers-token-0123456789';
const CUTS = 'trenchcoat_live_streams_cut_total';
const SMALL = 'subscription { sessionUpdated { id eventCount } }';
/** About 200 KB a message once the session holds its 20 padded events: a few dozen fill a socket's kernel buffers. */
const BIG = 'subscription($id: ID) { sessionUpdated(sessionId: $id) { id eventCount events(limit: 20) { data } } }';
const PADDING = 'x'.repeat(10_000);

function minute(n: number): string {
  return new Date(Date.parse('2026-03-01T08:00:00Z') + n * 60_000).toISOString();
}

async function cuts(t: TestGateway): Promise<{ buffer: number; timeout: number }> {
  const response = await t.get('/metrics', null, { authorization: `Bearer ${TOKEN}` });
  const exposition = parseExposition(await response.text());
  return { buffer: valueOf(exposition, CUTS, { reason: 'buffer' }), timeout: valueOf(exposition, CUTS, { reason: 'timeout' }) };
}

/** A session whose every update is a big message. */
async function seedBigSession(t: TestGateway, key: string, id: string): Promise<void> {
  const events = Array.from({ length: 20 }, (_, i) => event('tool_use', id, minute(i), { data: { tool_name: 'Read', padding: PADDING } }));
  const response = await t.post('/api/v1/events', { events }, key);
  expect(response.status).toBe(200);
}

interface RawStream {
  readonly socket: Socket;
  readonly status: number;
  /** Everything received so far, headers included. */
  text(): string;
  /** Resolves when the connection is closed. */
  readonly closed: Promise<void>;
}

/**
 * GraphQL over SSE on a bare socket. Without `read`, the client stops reading once the response head has
 * arrived: the server's writes pile up in the kernel and then in the server process.
 */
async function openRaw(t: TestGateway, key: string, query: string, variables: Record<string, unknown>, { read }: { read: boolean }): Promise<RawStream> {
  const url = new URL(t.url);
  const body = JSON.stringify({ query, variables });
  const socket = connect(Number(url.port), url.hostname);
  const chunks: Buffer[] = [];
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.on('error', () => {});
  const status = await new Promise<number>((resolve, reject) => {
    let headed = false;
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      if (headed) return;
      const head = Buffer.concat(chunks).toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      headed = true;
      if (!read) socket.pause();
      resolve(Number(head.slice(9, 12)));
    });
    socket.once('close', () => reject(new Error('closed before the response head')));
    socket.write(
      'POST /graphql HTTP/1.1\r\nhost: gateway\r\ncontent-type: application/json\r\naccept: text/event-stream\r\n' +
        `x-api-key: ${key}\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  });
  return { socket, status, text: () => Buffer.concat(chunks).toString('latin1'), closed };
}

/** Updates the session (one small event each) until `done` holds; the number of updates made. */
async function updateUntil(t: TestGateway, key: string, id: string, done: () => Promise<boolean>, most: number): Promise<number> {
  for (let i = 0; i < most; i++) {
    const response = await t.post('/api/v1/events', { events: [event('prompt_submit', id, minute(100 + i))] }, key);
    expect(response.status).toBe(200);
    if (await done()) return i + 1;
  }
  return most;
}

function sessionOf(message: SseEvent): { id: string; eventCount: number } {
  expect(message.event, JSON.stringify(message)).toBe('next');
  return message.data.data.sessionUpdated;
}

// One engine's run is enough: stream limits are the transport's: the store only supplies the states.
describe.runIf(TEST_ENGINE === 'sqlite')('a client that leaves', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway({ env: { TRENCHCOAT_SUBSCRIPTIONS_PER_KEY: '2' } });
  });
  afterAll(() => t.close());

  it('frees its slot at once: a key at its limit closes a POST stream and its next one is 200, not 429', async () => {
    const key = await t.key({ account: 'leaver-post' });
    const [first, second] = [await subscribe(t.url, SMALL, { key }), await subscribe(t.url, SMALL, { key })];
    expect([first.status, second.status]).toEqual([200, 200]);
    const refused = await subscribe(t.url, SMALL, { key });
    expect(refused.status).toBe(429);
    first.close();
    const again = await subscribe(t.url, SMALL, { key });
    expect(again.status).toBe(200);
    for (const s of [second, again]) s.close();
  });

  it('frees its slot at once when the stream was a GET (EventSource style)', async () => {
    const key = await t.key({ account: 'leaver-get' });
    const open = async () => {
      const controller = new AbortController();
      const response = await fetch(`${t.url}/graphql?query=${encodeURIComponent(SMALL)}`, {
        headers: { 'x-api-key': key, accept: 'text/event-stream' },
        signal: controller.signal,
      });
      return { status: response.status, close: () => controller.abort() };
    };
    const first = await open();
    const second = await open();
    expect([first.status, second.status]).toEqual([200, 200]);
    expect((await open()).status).toBe(429);
    first.close();
    const again = await open();
    expect(again.status).toBe(200);
    for (const s of [second, again]) s.close();
  });
});

describe.runIf(TEST_ENGINE === 'sqlite')('a client that stops reading', () => {
  let t: TestGateway;
  let key: string;
  beforeAll(async () => {
    t = await startTestGateway({
      env: {
        TRENCHCOAT_STREAM_BUFFER_BYTES: String(64 * 1024),
        TRENCHCOAT_SUBSCRIPTION_INTERVAL_MS: '10',
        TRENCHCOAT_SUBSCRIPTIONS_PER_KEY: '1',
        TRENCHCOAT_METRICS_TOKEN: TOKEN,
      },
    });
    key = await t.key();
  });
  afterAll(() => t.close());

  it('is cut once more than TRENCHCOAT_STREAM_BUFFER_BYTES wait unsent: connection closed, slot freed, counted as buffer', async () => {
    const id = '10000000-0000-4000-8000-000000000001';
    await seedBigSession(t, key, id);
    const raw = await openRaw(t, key, BIG, { id }, { read: false });
    expect(raw.status).toBe(200);
    await expect.poll(() => t.gateway.feed.size).toBe(1);
    await updateUntil(t, key, id, async () => (await cuts(t)).buffer > 0, 500);
    expect(await cuts(t)).toEqual({ buffer: 1, timeout: 0 });
    // The key's only slot is free again.
    expect(t.gateway.feed.size).toBe(0);
    const again = await subscribe(t.url, SMALL, { key });
    expect(again.status).toBe(200);
    again.close();
    // Reading again, the client finds its stream cut short: no `complete` event, no end of the chunked body.
    raw.socket.resume();
    await raw.closed;
    expect(raw.text()).toContain('event: next');
    expect(raw.text()).not.toContain('event: complete');
    expect(raw.text().endsWith('0\r\n\r\n')).toBe(false);
  });

  it('frees its slot at once when, not reading, it resets its connection mid-stream', async () => {
    const id = '10000000-0000-4000-8000-000000000002';
    await seedBigSession(t, key, id);
    const before = await cuts(t);
    const raw = await openRaw(t, key, BIG, { id }, { read: false });
    expect(raw.status).toBe(200);
    // A few big updates in flight: its kernel buffer holds unread data, so closing the socket resets the connection.
    await updateUntil(t, key, id, async () => false, 3);
    raw.socket.destroy();
    const again = await subscribe(t.url, SMALL, { key });
    expect(again.status).toBe(200);
    again.close();
    expect(await cuts(t)).toEqual(before);
  });
});

describe.runIf(TEST_ENGINE === 'sqlite')('a client that stops reading under a large buffer budget', () => {
  let t: TestGateway;
  let key: string;
  beforeAll(async () => {
    t = await startTestGateway({
      env: {
        TRENCHCOAT_STREAM_WRITE_TIMEOUT_MS: '300',
        TRENCHCOAT_SUBSCRIPTION_INTERVAL_MS: '10',
        TRENCHCOAT_SUBSCRIPTIONS_PER_KEY: '1',
        TRENCHCOAT_METRICS_TOKEN: TOKEN,
      },
    });
    key = await t.key();
  });
  afterAll(() => t.close());

  it('is cut when nothing it was sent is taken for TRENCHCOAT_STREAM_WRITE_TIMEOUT_MS, counted as timeout', async () => {
    const id = '20000000-0000-4000-8000-000000000001';
    await seedBigSession(t, key, id);
    const raw = await openRaw(t, key, BIG, { id }, { read: false });
    expect(raw.status).toBe(200);
    await updateUntil(t, key, id, async () => (await cuts(t)).timeout > 0, 500);
    await expect.poll(async () => (await cuts(t)).timeout, { timeout: 5000 }).toBe(1);
    expect((await cuts(t)).buffer).toBe(0);
    expect(t.gateway.feed.size).toBe(0);
    const again = await subscribe(t.url, SMALL, { key });
    expect(again.status).toBe(200);
    again.close();
    raw.socket.resume();
    await raw.closed;
    expect(raw.text()).not.toContain('event: complete');
  });

  it('never cuts a client that reads: it gets the latest state after every burst', async () => {
    const reader = await t.key({ account: 'reader' });
    const id = '20000000-0000-4000-8000-000000000002';
    await seedBigSession(t, reader, id);
    const stream = await subscribe(t.url, BIG, { key: reader, variables: { id } });
    expect(stream.status).toBe(200);
    const before = await cuts(t);
    const updates = await updateUntil(t, reader, id, async () => false, 60);
    const seen: number[] = [];
    for (let m = await stream.next(2000); m; m = await stream.next(1000)) {
      seen.push(sessionOf(m).eventCount);
      if (seen.at(-1) === 20 + updates) break;
    }
    expect(seen.at(-1)).toBe(20 + updates);
    expect(stream.ended).toBe(false);
    expect(await cuts(t)).toEqual(before);
    stream.close();
  });
});

describe.runIf(TEST_ENGINE === 'sqlite')('TRENCHCOAT_STREAM_BUFFER_BYTES and TRENCHCOAT_STREAM_WRITE_TIMEOUT_MS', () => {
  it('default to 1 MiB and 10 s, and a bad value stops the server naming the variable', () => {
    const config = loadConfig({}, {});
    expect(config.live.streamBufferBytes).toBe(1024 * 1024);
    expect(config.live.streamWriteTimeoutMs).toBe(10_000);
    for (const [name, value] of [['TRENCHCOAT_STREAM_BUFFER_BYTES', '0'], ['TRENCHCOAT_STREAM_BUFFER_BYTES', '1MB'], ['TRENCHCOAT_STREAM_WRITE_TIMEOUT_MS', '99'], ['TRENCHCOAT_STREAM_WRITE_TIMEOUT_MS', '1e4']]) {
      expect(() => loadConfig({}, { [name!]: value! }), `${name}=${value}`).toThrow(ConfigError);
      expect(() => loadConfig({}, { [name!]: value! })).toThrow(name);
    }
  });
});
