// Live sessions (docs/api.md#live-subscriptions): `subscription { sessionUpdated }` over GraphQL-over-SSE.
// Each message is a session's committed state after a batch touched it, only the key's account,
// bursts coalesced, streams bounded and ended on revocation and shutdown.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_A, SESSION_B, event, startTestGateway, type TestGateway } from './support/test-gateway.js';
import { subscribe, type SseEvent, type SseStream } from './support/sse-client.js';

const SUBSCRIPTION = 'subscription($id: ID) { sessionUpdated(sessionId: $id) { id eventCount toolInvocations endedAt tools { name count } } }';
const OTHER_SESSION = '7c9e6679-7425-40de-944b-e07c1f9ee2a4';

function minute(n: number): string {
  return new Date(Date.parse('2026-11-29T08:00:00Z') + n * 60_000).toISOString();
}

function sessionOf(message: SseEvent | null) {
  expect(message?.event, JSON.stringify(message)).toBe('next');
  expect(message!.data.errors, JSON.stringify(message!.data)).toBeUndefined();
  return message!.data.data.sessionUpdated as { id: string; eventCount: number; toolInvocations: number; tools: { name: string; count: number }[] };
}

describe('sessionUpdated over SSE', () => {
  let t: TestGateway;
  let key: string;
  const open: SseStream[] = [];
  const watch = async (query: string, options: Parameters<typeof subscribe>[2]) => {
    const stream = await subscribe(t.url, query, options);
    open.push(stream);
    return stream;
  };

  beforeAll(async () => {
    t = await startTestGateway({ env: { TRENCHCOAT_KEY_RECHECK_MS: '200', TRENCHCOAT_SUBSCRIPTIONS_PER_KEY: '3' } });
    key = await t.key();
  });
  afterAll(async () => {
    for (const s of open) s.close();
    await t.close();
  });

  it('delivers the committed state of a session within a second of a REST post', async () => {
    const stream = await watch(SUBSCRIPTION, { key });
    expect(stream.status).toBe(200);
    expect(stream.contentType).toMatch(/^text\/event-stream/);
    const posted = Date.now();
    const response = await t.post('/api/v1/events', { events: [event('tool_use', SESSION_A, minute(1), { data: { tool_name: 'Read' } })] }, key);
    expect(response.status).toBe(200);
    const session = sessionOf(await stream.next(1000));
    expect(Date.now() - posted).toBeLessThan(1000);
    expect(session).toMatchObject({ id: SESSION_A, eventCount: 1, toolInvocations: 1, tools: [{ name: 'Read', count: 1 }] });
    stream.close();
  });

  it('gives each message fresh children: tools reflect the latest batch, not the first message', async () => {
    const stream = await watch(SUBSCRIPTION, { key, variables: { id: SESSION_B } });
    await t.post('/api/v1/events', { events: [event('tool_use', SESSION_B, minute(2), { data: { tool_name: 'Bash' } })] }, key);
    expect(sessionOf(await stream.next()).tools).toEqual([{ name: 'Bash', count: 1 }]);
    await new Promise((r) => setTimeout(r, 400));
    await t.post('/api/v1/events', { events: [event('tool_use', SESSION_B, minute(3), { data: { tool_name: 'Bash' } }), event('tool_use', SESSION_B, minute(4), { data: { tool_name: 'Edit' } })] }, key);
    const second = sessionOf(await stream.next());
    expect(second.eventCount).toBe(3);
    expect(second.tools).toEqual([{ name: 'Bash', count: 2 }, { name: 'Edit', count: 1 }]);
    stream.close();
  });

  it('sends only the session asked for when sessionId is given', async () => {
    const stream = await watch(SUBSCRIPTION, { key, variables: { id: OTHER_SESSION.toUpperCase() } });
    await t.post('/api/v1/events', { events: [event('prompt_submit', SESSION_A, minute(5))] }, key);
    await t.post('/api/v1/events', { events: [event('prompt_submit', OTHER_SESSION, minute(5))] }, key);
    expect(sessionOf(await stream.next()).id).toBe(OTHER_SESSION);
    expect(await stream.next(600)).toBeNull();
    stream.close();
  });

  it('publishes for every write path: GraphQL ingestEvents and the Claude Code hooks endpoint', async () => {
    const stream = await watch(SUBSCRIPTION, { key });
    const mutation = await t.graphql(
      'mutation($e: [EventInput!]!) { ingestEvents(events: $e) { accepted } }',
      { e: [{ eventType: 'session_start', sessionId: '11111111-1111-4111-8111-111111111111', timestamp: minute(6) }] },
      key,
    );
    expect(mutation.body.data?.ingestEvents).toEqual({ accepted: 1 });
    expect(sessionOf(await stream.next()).id).toBe('11111111-1111-4111-8111-111111111111');
    const hook = await t.post('/api/v1/hooks/claude-code', { session_id: '22222222-2222-4222-8222-222222222222', hook_event_name: 'UserPromptSubmit', prompt: 'hi' }, key);
    expect(hook.status).toBe(200);
    expect(sessionOf(await stream.next()).id).toBe('22222222-2222-4222-8222-222222222222');
    stream.close();
  });

  it('coalesces a burst for one session into a few updates, the last one complete', async () => {
    const stream = await watch(SUBSCRIPTION, { key, variables: { id: '33333333-3333-4333-8333-333333333333' } });
    const started = Date.now();
    for (let i = 0; i < 40; i++) {
      const r = await t.post('/api/v1/events', { events: [event('tool_use', '33333333-3333-4333-8333-333333333333', minute(10 + i), { data: { tool_name: 'Grep' } })] }, key);
      expect(r.status).toBe(200);
    }
    const elapsed = Date.now() - started;
    const messages: ReturnType<typeof sessionOf>[] = [];
    for (let m = await stream.next(800); m; m = await stream.next(800)) messages.push(sessionOf(m));
    // Default interval 250 ms: one at once, then at most one per interval, plus the trailing one.
    expect(messages.length).toBeGreaterThanOrEqual(1);
    expect(messages.length).toBeLessThanOrEqual(Math.ceil(elapsed / 250) + 2);
    expect(messages.length).toBeLessThan(40);
    expect(messages.at(-1)!.eventCount).toBe(40);
    const counts = messages.map((s) => s.eventCount);
    expect([...counts].sort((a, b) => a - b)).toEqual(counts);
    stream.close();
  });

  it('never sends another account\'s sessions', async () => {
    const otherKey = await t.key({ account: 'globex' });
    const stream = await watch(SUBSCRIPTION, { key: otherKey });
    await t.post('/api/v1/events', { events: [event('tool_use', SESSION_A, minute(60), { data: { tool_name: 'Read' } })] }, key);
    await t.post('/api/v1/events', { events: [event('session_start', '44444444-4444-4444-8444-444444444444', minute(60))] }, key);
    expect(await stream.next(800)).toBeNull();
    // The stream was live all along: its own account's change arrives.
    await t.post('/api/v1/events', { events: [event('session_start', SESSION_A, minute(61))] }, otherKey);
    const session = sessionOf(await stream.next());
    expect(session).toMatchObject({ id: SESSION_A, eventCount: 1 });
    expect(await stream.next(500)).toBeNull();
    stream.close();
  });

  it('refuses a caller without a key (401 UNAUTHENTICATED) and a write-only key (403 FORBIDDEN)', async () => {
    const none = await watch(SUBSCRIPTION, { key: null });
    expect(none.status).toBe(401);
    const [first] = await none.rest(1000);
    expect(first!.data.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    const writer = await t.key({ scopes: ['write:events'] });
    const denied = await watch(SUBSCRIPTION, { key: writer });
    expect(denied.status).toBe(403);
    const [message] = await denied.rest(1000);
    expect(message!.data.errors[0].extensions.code).toBe('FORBIDDEN');
    expect(message!.data.errors[0].message).toContain('read:analytics');
  });

  it('answers a sessionId that is not a UUID with 400 VALIDATION_ERROR', async () => {
    const stream = await watch(SUBSCRIPTION, { key, variables: { id: 'not-a-uuid' } });
    expect(stream.status).toBe(400);
    const [message] = await stream.rest(1000);
    expect(message!.data.errors[0].extensions.code).toBe('VALIDATION_ERROR');
  });

  it('bounds subscriptions per key (TRENCHCOAT_SUBSCRIPTIONS_PER_KEY) and frees a slot when one closes', async () => {
    const own = await t.key({ account: 'bounded' });
    const streams = await Promise.all([0, 1, 2].map(() => watch(SUBSCRIPTION, { key: own })));
    for (const s of streams) expect(s.status).toBe(200);
    const fourth = await watch(SUBSCRIPTION, { key: own });
    expect(fourth.status).toBe(429);
    const [refusal] = await fourth.rest(1000);
    expect(refusal!.data.errors[0].extensions.code).toBe('RATE_LIMITED');
    // Another key of the same account has slots of its own.
    const sibling = await watch(SUBSCRIPTION, { key: await t.key({ account: 'bounded' }) });
    expect(sibling.status).toBe(200);
    streams[0]!.close();
    await expect.poll(() => t.gateway.feed.size, { timeout: 2000 }).toBeLessThan(4 + open.filter((s) => !s.ended).length);
    let again: SseStream | undefined;
    await expect
      .poll(async () => {
        again?.close();
        again = await watch(SUBSCRIPTION, { key: own });
        return again.status;
      }, { timeout: 3000, interval: 100 })
      .toBe(200);
    for (const s of [...streams, sibling, again!]) s.close();
  });

  it('ends the stream with UNAUTHENTICATED once its key is revoked', async () => {
    const created = await t.gateway.keys.create({ account: 'acme', scopes: ['read:analytics'] });
    const stream = await watch(SUBSCRIPTION, { key: created.key });
    expect(stream.status).toBe(200);
    await t.gateway.keys.revoke(created.id);
    const events = await stream.rest(3000);
    expect(events.map((e) => e.event)).toEqual(['next', 'complete']);
    expect(events[0]!.data.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect(events[0]!.data.errors[0].message).toMatch(/revoked/);
    expect(stream.ended).toBe(true);
  });
});

describe('a subscriber that does not keep up', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway({ env: { TRENCHCOAT_SUBSCRIPTION_QUEUE: '2' } });
  });
  afterAll(() => t.close());

  it('is ended with RATE_LIMITED instead of being buffered without end', async () => {
    const key = await t.key();
    const principal = (await t.gateway.keys.authenticate(key))!;
    const subscriber = t.gateway.feed.subscribe(principal, null);
    expect(t.gateway.feed.size).toBe(1);
    // Nobody reads: three distinct sessions change.
    const ids = [SESSION_A, SESSION_B, OTHER_SESSION];
    for (const id of ids) await t.post('/api/v1/events', { events: [event('session_start', id, minute(1))] }, key);
    await expect.poll(() => t.gateway.feed.size, { timeout: 2000 }).toBe(0);
    const first = await subscriber.next();
    expect(first.done).toBe(false);
    expect((first.value as { error?: { extensions: { code: string } } }).error?.extensions.code).toBe('RATE_LIMITED');
    expect((await subscriber.next()).done).toBe(true);
  });
});

describe('shutdown', () => {
  it('completes open streams so the server can stop', async () => {
    const t = await startTestGateway();
    const key = await t.key();
    const stream = await subscribe(t.url, SUBSCRIPTION, { key });
    expect(stream.status).toBe(200);
    // Without ending the streams first, close() would wait for the 10 s shutdown timeout and cut them.
    await t.close();
    const rest = await stream.rest(2000);
    expect(rest.map((e) => e.event)).toEqual(['complete']);
    expect(stream.ended).toBe(true);
  });
});
