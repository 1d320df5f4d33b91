// Live messages written straight to each subscriber's connection (src/graphql/live-outlet.ts, the bypass of
// src/live/live-subscriber.ts): what leaves must be what the subscriber's own pipeline would have sent, byte for
// byte; an answer with errors is never written for another subscriber; a subscription completed on a socket that
// stays open gets nothing more.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { subscribe, type SseEvent, type SseStream } from './support/sse-client.js';
import { SESSION_A, SESSION_B, event, startTestGateway, type TestGateway } from './support/test-gateway.js';

const COUNTS = 'subscription { sessionUpdated { id eventCount } }';
const FIRST_EVENT = 'subscription { sessionUpdated { id events(limit: 1) { data } } }';

function minute(n: number): string {
  return new Date(Date.parse('2026-12-01T09:00:00Z') + n * 60_000).toISOString();
}

/** A graphql-transport-ws socket by hand, keeping every text frame exactly as it arrived. */
async function openSocket(t: TestGateway, key: string) {
  const socket = new WebSocket(`${t.url.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws');
  const frames: string[] = [];
  const listeners = new Set<() => void>();
  socket.on('message', (data) => {
    frames.push(String(data));
    for (const listener of [...listeners]) listener();
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  const frame = (match: (message: any) => boolean, after = 0): Promise<string> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        listeners.delete(check);
        reject(new Error(`no matching frame among ${JSON.stringify(frames)}`));
      }, 5_000);
      const check = () => {
        const found = frames.slice(after).find((f) => match(JSON.parse(f)));
        if (found === undefined) return;
        clearTimeout(timer);
        listeners.delete(check);
        resolve(found);
      };
      listeners.add(check);
      check();
    });
  const send = (message: unknown) => socket.send(JSON.stringify(message));
  send({ type: 'connection_init', payload: { 'x-api-key': key } });
  await frame((m) => m.type === 'connection_ack');
  return { socket, frames, frame, send };
}

describe('live messages written straight to their connections', () => {
  let t: TestGateway;
  const open: SseStream[] = [];

  beforeAll(async () => {
    t = await startTestGateway({ env: { TRENCHCOAT_SUBSCRIPTION_INTERVAL_MS: '10', TRENCHCOAT_KEY_RECHECK_MS: '200', TRENCHCOAT_GRAPHQL_MAX_RESPONSE_BYTES: String(48 * 1024) } });
  });
  afterAll(async () => {
    for (const s of open) s.close();
    await t.close();
  });

  it('sends graphql-ws its own bytes, and nothing for a subscription completed on a socket that stays open', async () => {
    const key = await t.key();
    const ws = await openSocket(t, key);
    ws.send({ id: 'kept', type: 'subscribe', payload: { query: COUNTS } });
    ws.send({ id: 'done "soon"', type: 'subscribe', payload: { query: COUNTS } });
    await expect.poll(() => t.gateway.feed.size).toBe(2);

    expect((await t.post('/api/v1/events', { events: [event('tool_use', SESSION_A, minute(1))] }, key)).status).toBe(200);
    const payload = { data: { sessionUpdated: { id: SESSION_A, eventCount: 1 } } };
    for (const id of ['kept', 'done "soon"']) {
      const frame = await ws.frame((m) => m.id === id && m.type === 'next');
      // graphql-ws's own serialization of its next message: id, type, payload, in that order.
      expect(frame).toBe(JSON.stringify({ id, type: 'next', payload }));
    }

    ws.send({ id: 'done "soon"', type: 'complete' });
    await expect.poll(() => t.gateway.feed.size).toBe(1);
    const seen = ws.frames.length;
    expect((await t.post('/api/v1/events', { events: [event('tool_use', SESSION_A, minute(2))] }, key)).status).toBe(200);
    expect(JSON.parse(await ws.frame((m) => m.id === 'kept' && m.type === 'next', seen)).payload).toEqual({ data: { sessionUpdated: { id: SESSION_A, eventCount: 2 } } });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(ws.frames.slice(seen).map((f) => JSON.parse(f).id)).toEqual(['kept']);
    ws.socket.close();
  });

  it('sends an answer with errors through each subscriber\'s own pipeline, then shared data again', async () => {
    const key = await t.key({ account: 'budget' });
    const large = '22222222-2222-4222-8222-222222222222';
    const small = '11111111-1111-4111-8111-111111111111';
    const streams = await Promise.all([1, 2, 3].map(() => subscribe(t.url, FIRST_EVENT, { key })));
    for (const stream of streams) {
      expect(stream.status).toBe(200);
      open.push(stream);
    }
    const ws = await openSocket(t, key);
    ws.send({ id: 'w', type: 'subscribe', payload: { query: FIRST_EVENT } });
    await expect.poll(() => t.gateway.feed.size).toBe(4);

    // The first event of this session alone is larger than the 48 KiB an answer may be.
    expect((await t.post('/api/v1/events', { events: [event('session_start', large, minute(3), { data: { blob: 'l'.repeat(60_000) } })] }, key)).status).toBe(200);
    const refusals: SseEvent[] = [];
    for (const stream of streams) refusals.push((await stream.next(5_000))!);
    const wsRefusal = JSON.parse(await ws.frame((m) => m.id === 'w' && m.type === 'next'));
    for (const message of [...refusals.map((r) => r.data), wsRefusal.payload]) {
      expect(message.data ?? null, JSON.stringify(message).slice(0, 300)).toBeNull();
      expect(message.errors).toHaveLength(1);
      expect(message.errors[0].extensions.code).toBe('RESPONSE_TOO_LARGE');
    }

    const seen = ws.frames.length;
    expect((await t.post('/api/v1/events', { events: [event('session_start', small, minute(4), { data: { blob: 's'.repeat(100) } })] }, key)).status).toBe(200);
    const expected = { sessionUpdated: { id: small, events: [{ data: { blob: 's'.repeat(100) } }] } };
    for (const stream of streams) {
      const message = await stream.next(5_000);
      expect(message?.event).toBe('next');
      expect(message!.data).toEqual({ data: expected });
    }
    expect(JSON.parse(await ws.frame((m) => m.id === 'w' && m.type === 'next', seen)).payload).toEqual({ data: expected });
    ws.socket.close();
  });

  it('ends a stream written around its pipeline with the revocation, then complete', async () => {
    const created = await t.gateway.keys.create({ account: 'revoked', scopes: ['read:analytics', 'write:events'] });
    const stream = await subscribe(t.url, COUNTS, { key: created.key });
    open.push(stream);
    expect(stream.status).toBe(200);
    expect((await t.post('/api/v1/events', { events: [event('tool_use', SESSION_B, minute(5))] }, created.key)).status).toBe(200);
    expect((await stream.next(5_000))?.data).toEqual({ data: { sessionUpdated: { id: SESSION_B, eventCount: 1 } } });
    // Revoked in the store, as another process would: the feed's recheck finds it.
    await t.gateway.keys.revoke(created.id);
    const rest = await stream.rest(5_000);
    expect(rest.map((m) => m.event)).toEqual(['next', 'complete']);
    expect(rest[0]!.data.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect(stream.ended).toBe(true);
  });
});
