// One change, many subscribers (src/graphql/plugins/use-shared-live-messages.ts, src/http/write-event-stream.ts):
// the answer to a change is computed once per document, variables, account and scopes and shared, and an SSE
// message is made once; every subscriber must still get exactly what it asked for, and nothing of another's.
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { subscribe, type SseEvent, type SseStream } from './support/sse-client.js';
import { SESSION_A, SESSION_B, event, startTestGateway, type TestGateway } from './support/test-gateway.js';

const COUNTS = 'subscription { sessionUpdated { id eventCount } }';
const ALIASED = 'subscription { s: sessionUpdated { id tools { name count } } }';
const ONE_SESSION = 'subscription($id: ID) { sessionUpdated(sessionId: $id) { id eventCount } }';

function minute(n: number): string {
  return new Date(Date.parse('2026-12-01T09:00:00Z') + n * 60_000).toISOString();
}

function dataOf(message: SseEvent | null): Record<string, unknown> {
  expect(message?.event, JSON.stringify(message)).toBe('next');
  expect(message!.data.errors, JSON.stringify(message!.data)).toBeUndefined();
  return message!.data.data;
}

describe('live answers shared between subscribers', () => {
  let t: TestGateway;
  const open: SseStream[] = [];
  const watch = async (query: string, key: string, variables?: Record<string, unknown>) => {
    const stream = await subscribe(t.url, query, { key, variables });
    expect(stream.status).toBe(200);
    open.push(stream);
    return stream;
  };

  beforeAll(async () => {
    t = await startTestGateway({ env: { TRENCHCOAT_SUBSCRIPTION_INTERVAL_MS: '1000' } });
  });
  afterAll(async () => {
    for (const s of open) s.close();
    await t.close();
  });

  it('gives every subscriber of one change its own document, aliases and variables, over SSE and WebSocket', async () => {
    const [k1, k2, other] = await Promise.all([t.key(), t.key(), t.key({ account: 'globex' })]);
    const plainA = await watch(COUNTS, k1);
    const plainB = await watch(COUNTS, k2);
    const aliased = await watch(ALIASED, k1);
    const onlyB = await watch(ONE_SESSION, k2, { id: SESSION_B });
    const elsewhere = await watch(COUNTS, other);
    const ws = createClient({ url: `${t.url.replace(/^http/, 'ws')}/graphql`, webSocketImpl: WebSocket, connectionParams: { 'x-api-key': k1 }, retryAttempts: 0 });
    const wsResults = ws.iterate({ query: COUNTS });
    const wsFirst = wsResults.next();
    await expect.poll(() => t.gateway.feed.size).toBe(6);

    const posted = await t.post('/api/v1/events', { events: [event('tool_use', SESSION_A, minute(1), { data: { tool_name: 'Read' } })] }, k1);
    expect(posted.status).toBe(200);
    const expected = { sessionUpdated: { id: SESSION_A, eventCount: 1 } };
    expect(dataOf(await plainA.next())).toEqual(expected);
    expect(dataOf(await plainB.next())).toEqual(expected);
    expect(dataOf(await aliased.next())).toEqual({ s: { id: SESSION_A, tools: [{ name: 'Read', count: 1 }] } });
    expect((await wsFirst).value).toEqual({ data: expected });

    await t.post('/api/v1/events', { events: [event('tool_use', SESSION_B, minute(2), { data: { tool_name: 'Bash' } })] }, k2);
    expect(dataOf(await onlyB.next())).toEqual({ sessionUpdated: { id: SESSION_B, eventCount: 1 } });
    expect(dataOf(await plainA.next())).toEqual({ sessionUpdated: { id: SESSION_B, eventCount: 1 } });
    expect(dataOf(await aliased.next())).toEqual({ s: { id: SESSION_B, tools: [{ name: 'Bash', count: 1 }] } });
    // Neither the other account's subscriber nor the one filtered to SESSION_B saw SESSION_A.
    expect(await elsewhere.next(300)).toBeNull();
    expect(await onlyB.next(300)).toBeNull();
    await wsResults.return?.();
    await ws.dispose();
  });

  it('sends a session state once: a change already read is not sent again when the burst ends', async () => {
    const key = await t.key();
    const stream = await watch(ONE_SESSION, key, { id: SESSION_A });
    const accountId = await t.gateway.keys.ensureAccount('acme');
    await t.post('/api/v1/events', { events: [event('tool_use', SESSION_A, minute(3), { data: { tool_name: 'Edit' } })] }, key);
    const first = dataOf(await stream.next());
    // Within the interval another process reports the same session (its change is the one just read): the
    // burst's closing read finds nothing new.
    t.gateway.feed.receive({ kind: 'sessions', accountId, sessionIds: [SESSION_A] });
    expect(await stream.next(1500)).toBeNull();
    // A real change afterwards is sent.
    await t.post('/api/v1/events', { events: [event('tool_use', SESSION_A, minute(4), { data: { tool_name: 'Edit' } })] }, key);
    const second = dataOf(await stream.next(3000)) as { sessionUpdated: { eventCount: number } };
    expect(second.sessionUpdated.eventCount).toBe((first as { sessionUpdated: { eventCount: number } }).sessionUpdated.eventCount + 1);
  });
});

describe('an SSE stream on the wire', () => {
  it('opens with a comment, carries one `next` event per message and ends with `complete` at shutdown', async () => {
    const t = await startTestGateway();
    const key = await t.key();
    const response = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', 'x-api-key': key },
      body: JSON.stringify({ query: COUNTS }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(response.headers.get('cache-control')).toBe('no-cache');
    let text = '';
    const reading = (async () => {
      const decoder = new TextDecoder();
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) text += decoder.decode(chunk, { stream: true });
    })();
    await expect.poll(() => text).toBe(':\n\n');
    await t.post('/api/v1/events', { events: [event('session_start', SESSION_A, minute(5))] }, key);
    const message = `event: next\ndata: ${JSON.stringify({ data: { sessionUpdated: { id: SESSION_A, eventCount: 1 } } })}\n\n`;
    await expect.poll(() => text).toBe(`:\n\n${message}`);
    await t.close();
    await reading;
    expect(text).toBe(`:\n\n${message}event: complete\ndata:\n\n`);
  });
});
