// A dashboard page on another origin, in Chromium, calling the gateway's REST API, GraphQL and a GraphQL subscription
// over SSE (issue 16, items 3 and 9): it works under the default CORS policy (any origin) and when
// TRENCHCOAT_CORS_ORIGINS lists the page's origin, and the browser refuses every call when the list leaves it out.
// The page reads X-Request-Id and the RateLimit-* headers, which the gateway exposes.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { untilSubscribed } from './support/client-support.js';
import { available, describeNeeding } from './support/requirements.js';
import { ingestAll } from './support/rest-read-helpers.js';
import { TEST_ENGINE } from './support/test-database.js';
import { event, startTestGateway, type TestGateway } from './support/test-gateway.js';

const SESSION = '0c0a1b2c-3d4e-4f50-8a6b-7c8d9e0f1a2b';
/** Watched over the WebSocket: a session of its own, so that no update meant for the SSE spec can answer. */
const SOCKET_SESSION = '0c0a1b2c-3d4e-4f50-8a6b-7c8d9e0f1a2c';

// The page's script, served as a file of its own (no inline script). Each call answers what the page could see:
// the status and the headers it may read, or the error fetch rejected with.
const DASHBOARD_JS = `
const seen = (response) => ({
  ok: true,
  status: response.status,
  requestId: response.headers.get('x-request-id'),
  rateLimitLimit: response.headers.get('ratelimit-limit'),
  rateLimitRemaining: response.headers.get('ratelimit-remaining'),
});
const failed = (error) => ({ ok: false, error: String(error) });

window.listSessions = async (gateway, key) => {
  try {
    const response = await fetch(gateway + '/api/v1/sessions?limit=5', { headers: { 'X-API-Key': key } });
    const body = await response.json();
    return { ...seen(response), total: body.data.total };
  } catch (error) {
    return failed(error);
  }
};

window.ingest = async (gateway, key, events) => {
  try {
    const response = await fetch(gateway + '/api/v1/events', {
      method: 'POST',
      headers: { 'X-API-Key': key, 'Content-Type': 'application/json' },
      body: JSON.stringify({ events }),
    });
    return { ...seen(response), body: await response.json() };
  } catch (error) {
    return failed(error);
  }
};

window.graphql = async (gateway, key, query) => {
  try {
    const response = await fetch(gateway + '/graphql', {
      method: 'POST',
      headers: { 'X-API-Key': key, 'Content-Type': 'application/json', Accept: 'application/graphql-response+json' },
      body: JSON.stringify({ query }),
    });
    return { ...seen(response), contentType: response.headers.get('content-type'), body: await response.json() };
  } catch (error) {
    return failed(error);
  }
};

// Lists sessions until the gateway refuses (at most \`tries\` times); what the page sees of the refusal.
window.untilRefused = async (gateway, key, tries) => {
  try {
    for (let i = 0; i < tries; i++) {
      const response = await fetch(gateway + '/api/v1/sessions?limit=1', { headers: { 'X-API-Key': key } });
      const body = await response.json();
      if (response.status === 429) return { ...seen(response), retryAfter: response.headers.get('retry-after'), body };
    }
    return { ok: true, status: 200 };
  } catch (error) {
    return failed(error);
  }
};

// Opens a subscription over SSE; resolves once the stream is open (or fetch failed). window.firstUpdate then
// resolves with the first update in which the session counts a tool invocation.
window.subscribe = async (gateway, key, sessionId) => {
  const controller = new AbortController();
  let response;
  try {
    response = await fetch(gateway + '/graphql', {
      method: 'POST',
      headers: { 'X-API-Key': key, 'Content-Type': 'application/json', Accept: 'text/event-stream' },
      body: JSON.stringify({
        query: 'subscription ($id: ID) { sessionUpdated(sessionId: $id) { id eventCount toolInvocations } }',
        variables: { id: sessionId },
      }),
      signal: controller.signal,
    });
  } catch (error) {
    return failed(error);
  }
  window.firstUpdate = (async () => {
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffered = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return null;
      buffered += value;
      let end;
      while ((end = buffered.indexOf('\\n\\n')) >= 0) {
        const lines = buffered.slice(0, end).split('\\n');
        buffered = buffered.slice(end + 2);
        const data = lines.filter((line) => line.startsWith('data:')).map((line) => line.slice(5).trim()).join('\\n');
        if (!lines.includes('event: next') || data === '') continue;
        const update = JSON.parse(data).data.sessionUpdated;
        if (update.toolInvocations > 0) {
          controller.abort();
          return update;
        }
      }
    }
  })();
  return { ...seen(response), contentType: response.headers.get('content-type') };
};

// GraphQL over WebSocket (graphql-transport-ws), by hand: init with the key, subscribe once acknowledged. Resolves once
// acknowledged, or with the close code when the socket closes first; window.firstSocketUpdate as above.
window.openSocket = (gateway, key, sessionId) =>
  new Promise((resolve) => {
    const socket = new WebSocket(gateway.replace(/^http/, 'ws') + '/graphql', 'graphql-transport-ws');
    let resolveUpdate;
    window.firstSocketUpdate = new Promise((settle) => (resolveUpdate = settle));
    socket.onopen = () => socket.send(JSON.stringify({ type: 'connection_init', payload: { 'x-api-key': key } }));
    socket.onclose = (closed) => {
      resolve({ ok: false, error: 'closed ' + closed.code });
      resolveUpdate(null);
    };
    socket.onmessage = (message) => {
      const received = JSON.parse(message.data);
      if (received.type === 'connection_ack') {
        socket.send(JSON.stringify({
          id: '1',
          type: 'subscribe',
          payload: {
            query: 'subscription ($id: ID) { sessionUpdated(sessionId: $id) { id eventCount toolInvocations } }',
            variables: { id: sessionId },
          },
        }));
        resolve({ ok: true });
      } else if (received.type === 'next' && received.payload.data.sessionUpdated.toolInvocations > 0) {
        resolveUpdate(received.payload.data.sessionUpdated);
        socket.close(1000);
      }
    };
  });
`;

const DASHBOARD_HTML = '<!doctype html><meta charset="utf-8"><title>Dashboard</title><script src="/dashboard.js"></script>';

interface Seen {
  ok: boolean;
  status?: number;
  error?: string;
  requestId?: string | null;
  rateLimitLimit?: string | null;
  rateLimitRemaining?: string | null;
  contentType?: string | null;
  total?: number;
  retryAfter?: string | null;
  body?: any;
}

declare global {
  interface Window {
    listSessions(gateway: string, key: string): Promise<Seen>;
    ingest(gateway: string, key: string, events: unknown[]): Promise<Seen>;
    graphql(gateway: string, key: string, query: string): Promise<Seen>;
    subscribe(gateway: string, key: string, sessionId: string): Promise<Seen>;
    untilRefused(gateway: string, key: string, tries: number): Promise<Seen>;
    openSocket(gateway: string, key: string, sessionId: string): Promise<Seen>;
    firstUpdate: Promise<unknown>;
    firstSocketUpdate: Promise<unknown>;
  }
}

/** The page's own origin: a second server on another port, serving the page and its script. */
async function startPageServer(): Promise<{ origin: string; close(): Promise<void> }> {
  const server: Server = createServer((request, response) => {
    if (request.url === '/') response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(DASHBOARD_HTML);
    else if (request.url === '/dashboard.js') response.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(DASHBOARD_JS);
    else response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

// The browser part does not depend on the database engine (the CORS policy sits before it): it runs once, on SQLite.
describe.runIf(TEST_ENGINE === 'sqlite')('a page on another origin', () => describeNeeding('chromium', 'in Chromium', () => {
  let browser: Browser;
  let pageServer: Awaited<ReturnType<typeof startPageServer>>;
  let context: BrowserContext | undefined;
  let consoleLines: string[] = [];

  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: available('chromium')!, args: ['--no-sandbox'] });
    pageServer = await startPageServer();
  }, 60_000);
  afterEach(async () => {
    await context?.close();
    context = undefined;
  });
  afterAll(async () => {
    await browser?.close();
    await pageServer?.close();
  });

  async function openDashboard(): Promise<Page> {
    context = await browser.newContext();
    const page = await context.newPage();
    consoleLines = [];
    page.on('console', (message) => consoleLines.push(message.text()));
    await page.goto(`${pageServer.origin}/`);
    await page.waitForFunction(() => typeof window.listSessions === 'function');
    expect(new URL(page.url()).origin).toBe(pageServer.origin);
    return page;
  }

  /** A gateway under `corsOrigins` (unset: the default policy) with one session of the key's account. */
  function gatewayWith(corsOrigins: (() => string) | null) {
    const state: { t: TestGateway; key: string } = {} as never;
    beforeAll(async () => {
      state.t = await startTestGateway({ env: corsOrigins === null ? {} : { TRENCHCOAT_CORS_ORIGINS: corsOrigins() } });
      expect(new URL(state.t.url).origin).not.toBe(pageServer.origin);
      // Tier standard: its answers carry RateLimit-* headers (an unlimited key's do not).
      state.key = await state.t.key({ account: 'dashboard', tier: 'standard' });
      await ingestAll(state.t, state.key, [
        event('session_start', SESSION, '2024-05-01T09:00:00Z'),
        event('session_start', SOCKET_SESSION, '2024-05-01T10:00:00Z'),
      ]);
    });
    afterAll(() => state.t?.close());
    return state;
  }

  /** The page reaches the gateway by every route a dashboard uses. */
  function itWorksFromThePage(gateway: { t: TestGateway; key: string }) {
    it('calls REST and reads X-Request-Id and RateLimit-*', async () => {
      const page = await openDashboard();
      const seen = await page.evaluate(([url, key]) => window.listSessions(url, key), [gateway.t.url, gateway.key] as const);
      expect(seen).toMatchObject({ ok: true, status: 200, total: 2 });
      expect(seen.requestId).toMatch(/^[0-9a-f-]{36}$/);
      expect(seen.rateLimitLimit).toBe('60');
      expect(Number(seen.rateLimitRemaining)).toBeLessThan(60);
    });

    it('calls GraphQL and reads X-Request-Id', async () => {
      const page = await openDashboard();
      const seen = await page.evaluate(([url, key]) => window.graphql(url, key, '{ sessions { total nodes { id } } }'), [gateway.t.url, gateway.key] as const);
      expect(seen).toMatchObject({ ok: true, status: 200, body: { data: { sessions: { total: 2, nodes: [{ id: SESSION }, { id: SOCKET_SESSION }] } } } });
      expect(seen.contentType).toMatch(/^application\/graphql-response\+json/);
      expect(seen.requestId).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('receives a subscription update over SSE when an event arrives over REST', async () => {
      const page = await openDashboard();
      const opened = await page.evaluate(([url, key, id]) => window.subscribe(url, key, id), [gateway.t.url, gateway.key, SESSION] as const);
      expect(opened).toMatchObject({ ok: true, status: 200 });
      expect(opened.contentType).toMatch(/^text\/event-stream/);
      await untilSubscribed(gateway.t);
      await ingestAll(gateway.t, gateway.key, [event('tool_use', SESSION, '2024-05-01T09:01:00Z', { data: { tool_name: 'Edit' } })]);
      expect(await page.evaluate(() => window.firstUpdate)).toEqual({ id: SESSION, eventCount: 2, toolInvocations: 1 });
    });

    it('receives a subscription update over a graphql-ws WebSocket when an event arrives over REST', async () => {
      const page = await openDashboard();
      const opened = await page.evaluate(([url, key, id]) => window.openSocket(url, key, id), [gateway.t.url, gateway.key, SOCKET_SESSION] as const);
      expect(opened).toEqual({ ok: true });
      await untilSubscribed(gateway.t);
      await ingestAll(gateway.t, gateway.key, [event('tool_use', SOCKET_SESSION, '2024-05-01T10:01:00Z', { data: { tool_name: 'Write' } })]);
      expect(await page.evaluate(() => window.firstSocketUpdate)).toEqual({ id: SOCKET_SESSION, eventCount: 2, toolInvocations: 1 });
    });
  }

  describe('under the default CORS policy (any origin)', () => {
    const gateway = gatewayWith(null);
    itWorksFromThePage(gateway);

    it('reads a 429, its Retry-After and RateLimit-Remaining: 0', async () => {
      const page = await openDashboard();
      const key = await gateway.t.key({ account: 'dashboard', tier: 'standard' });
      const seen = await page.evaluate(([url, k]) => window.untilRefused(url, k, 100), [gateway.t.url, key] as const);
      expect(seen).toMatchObject({ ok: true, status: 429, rateLimitLimit: '60', rateLimitRemaining: '0', body: { error: { code: 'RATE_LIMITED' } } });
      expect(seen.retryAfter).toMatch(/^[1-9][0-9]*$/);
      expect(seen.requestId).toMatch(/^[0-9a-f-]{36}$/);
    });
  });

  describe('with TRENCHCOAT_CORS_ORIGINS listing the page’s origin', () => {
    itWorksFromThePage(gatewayWith(() => `https://elsewhere.example, ${pageServer.origin}`));
  });

  describe('with TRENCHCOAT_CORS_ORIGINS leaving the page’s origin out', () => {
    const gateway = gatewayWith(() => 'https://elsewhere.example');
    const FAILED = { ok: false, error: 'TypeError: Failed to fetch' };

    /** The browser, not the gateway, refused: it says so on the console, naming CORS. */
    function expectBlockedByCors(): void {
      expect(consoleLines.filter((line) => line.includes('blocked by CORS policy')).length).toBeGreaterThan(0);
    }

    it('cannot call REST, and its write never reaches the gateway', async () => {
      const page = await openDashboard();
      expect(await page.evaluate(([url, key]) => window.listSessions(url, key), [gateway.t.url, gateway.key] as const)).toEqual(FAILED);
      const other = '1d2e3f40-5a6b-4c7d-8e9f-a0b1c2d3e4f5';
      const events = [{ event_type: 'session_start', session_id: other, timestamp: '2024-05-02T09:00:00Z' }];
      expect(await page.evaluate(([url, key, sent]) => window.ingest(url, key, sent), [gateway.t.url, gateway.key, events] as const)).toEqual(FAILED);
      expectBlockedByCors();
      // The same key works outside a browser: the refusal is the page's origin, nothing else. The preflight stopped the write.
      const { body } = await gateway.t.graphql(`{ session(id: "${other}") { id } sessions { total } }`, {}, gateway.key);
      expect(body.data).toEqual({ session: null, sessions: { total: 2 } });
    });

    it('cannot call GraphQL', async () => {
      const page = await openDashboard();
      expect(await page.evaluate(([url, key]) => window.graphql(url, key, '{ sessions { total } }'), [gateway.t.url, gateway.key] as const)).toEqual(FAILED);
      expectBlockedByCors();
    });

    it('cannot open a subscription over SSE', async () => {
      const page = await openDashboard();
      expect(await page.evaluate(([url, key, id]) => window.subscribe(url, key, id), [gateway.t.url, gateway.key, SESSION] as const)).toEqual(FAILED);
      expectBlockedByCors();
      expect(gateway.t.gateway.feed.size).toBe(0);
    });

    // Browsers apply no CORS to WebSockets: the gateway itself refuses the upgrade from a page of another origin.
    it('cannot open a graphql-ws socket', async () => {
      const page = await openDashboard();
      const opened = await page.evaluate(([url, key, id]) => window.openSocket(url, key, id), [gateway.t.url, gateway.key, SOCKET_SESSION] as const);
      expect(opened).toEqual({ ok: false, error: 'closed 1006' });
      expect(gateway.t.gateway.feed.size).toBe(0);
    });
  });
}));
