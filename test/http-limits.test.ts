// Slow or greedy clients cannot starve others (hardening issue): headers and whole requests must
// arrive in time (408 after), idle kept-alive connections are closed. The server keeps answering
// others meanwhile.
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './support/test-gateway.js';
import { TEST_ENGINE } from './support/test-database.js';

function open(url: string): Promise<Socket> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Everything the server sends until it closes the connection (or `limitMs` passes), and when it closed. */
function untilClosed(socket: Socket, limitMs: number): Promise<{ text: string; closedAfterMs: number | null }> {
  const started = Date.now();
  return new Promise((resolve) => {
    let text = '';
    const timer = setTimeout(() => resolve({ text, closedAfterMs: null }), limitMs);
    socket.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ text, closedAfterMs: Date.now() - started });
    });
    socket.on('error', () => {});
  });
}

// One engine's run is enough: timeouts and connection limits are the HTTP layer's, whatever the store.
describe.runIf(TEST_ENGINE === 'sqlite')('HTTP timeouts and connection limits', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway({
      env: {
        TRENCHCOAT_HEADERS_TIMEOUT_MS: '600',
        TRENCHCOAT_REQUEST_TIMEOUT_MS: '1200',
        TRENCHCOAT_KEEP_ALIVE_TIMEOUT_MS: '500',
      },
    });
  });
  afterAll(() => t.close());

  it('answers 408 and closes a connection whose headers never finish, serving others meanwhile', async () => {
    const slow = await open(t.url);
    const closed = untilClosed(slow, 8000);
    slow.write('GET /healthz HTTP/1.1\r\nHost: gateway\r\nX-Slow: ');
    const other = await fetch(`${t.url}/healthz`);
    expect(other.status).toBe(200);
    const { text, closedAfterMs } = await closed;
    expect(text).toMatch(/^HTTP\/1\.1 408 /);
    expect(closedAfterMs).not.toBeNull();
  });

  it('answers 408 when a body stops arriving before its Content-Length', async () => {
    const key = await t.key();
    const slow = await open(t.url);
    const closed = untilClosed(slow, 8000);
    slow.write(`POST /api/v1/events HTTP/1.1\r\nHost: gateway\r\nX-API-Key: ${key}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"events":`);
    const { text, closedAfterMs } = await closed;
    expect(text).toMatch(/^HTTP\/1\.1 408 /);
    expect(closedAfterMs).not.toBeNull();
    // Nothing was stored from the cut request.
    const sessions = (await (await t.get('/api/v1/sessions?start_date=1970-01-01', key)).json()) as { data: { total: number } };
    expect(sessions.data.total).toBe(0);
  });

  it('closes an idle kept-alive connection', async () => {
    const socket = await open(t.url);
    const closed = untilClosed(socket, 8000);
    socket.write('GET /healthz HTTP/1.1\r\nHost: gateway\r\n\r\n');
    const { text, closedAfterMs } = await closed;
    expect(text).toMatch(/^HTTP\/1\.1 200 /);
    expect(text).toMatch(/keep-alive: timeout=\d+/i);
    expect(closedAfterMs).not.toBeNull();
  });
});

describe.runIf(TEST_ENGINE === 'sqlite')('HTTP limit settings', () => {
  it('refuses a bad value at start, naming the variable', async () => {
    await expect(startTestGateway({ env: { TRENCHCOAT_HEADERS_TIMEOUT_MS: 'soon' } })).rejects.toThrow(/TRENCHCOAT_HEADERS_TIMEOUT_MS/);
    await expect(startTestGateway({ env: { TRENCHCOAT_HEADERS_TIMEOUT_MS: '5000', TRENCHCOAT_REQUEST_TIMEOUT_MS: '1000' } })).rejects.toThrow(/TRENCHCOAT_REQUEST_TIMEOUT_MS/);
  });
});
