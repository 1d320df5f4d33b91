// Subscriptions through the clients frontends use (issue 16, item 9): graphql-sse in its distinct-connections mode
// and graphql-ws over a WebSocket on /graphql each receive a sessionUpdated when an event arrives over REST, and
// disposing the client ends the subscription at the gateway.
import { createClient as createSseClient } from 'graphql-sse';
import { createClient as createWsClient } from 'graphql-ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { untilSubscribed } from './support/client-support.js';
import { ingestAll } from './support/rest-read-helpers.js';
import { event, startTestGateway, type TestGateway } from './support/test-gateway.js';

const WATCH = 'subscription Watch($id: ID) { sessionUpdated(sessionId: $id) { id eventCount toolInvocations } }';

interface Watched {
  sessionUpdated: { id: string; eventCount: number; toolInvocations: number };
}

/** Resolves once the gateway holds no live subscription; fails naming how many remain. */
async function untilUnsubscribed(t: TestGateway): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (t.gateway.feed.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  expect(t.gateway.feed.size, 'live subscriptions left at the gateway').toBe(0);
}

describe('subscriptions through graphql-sse and graphql-ws', () => {
  let t: TestGateway;
  let key: string;
  let sessions = 0;

  beforeAll(async () => {
    t = await startTestGateway();
    key = await t.key({ account: 'subscribers' });
  });
  afterAll(() => t?.close());
  // Each spec starts with no subscription left at the gateway, so that counting the live ones says whose it is.
  afterEach(() => untilUnsubscribed(t));

  /** A session of its own for each spec: started over REST, before anyone subscribes. */
  async function startedSession(): Promise<string> {
    sessions += 1;
    const id = `5e55e55e-0000-4000-8000-${sessions.toString(16).padStart(12, '0')}`;
    await ingestAll(t, key, [event('session_start', id, '2024-03-01T09:00:00Z')]);
    return id;
  }

  /**
   * Subscribes through `iterate`, ingests a tool_use once the gateway holds the subscription, and returns the first
   * update that counts it. An update for the session_start may come first: the feed hands a batch's change on a moment
   * later (it coalesces bursts), so it can reach a subscription opened just after that batch.
   */
  async function updateSeenThrough(
    iterate: (id: string) => AsyncIterableIterator<{ data?: unknown; errors?: unknown }>,
  ): Promise<{ id: string; seen: unknown }> {
    const id = await startedSession();
    const updates = iterate(id);
    try {
      const first = updates.next();
      await untilSubscribed(t);
      await ingestAll(t, key, [event('tool_use', id, '2024-03-01T09:01:00Z', { data: { tool_name: 'Read' } })]);
      let next = await first;
      for (let turn = 0; turn < 3 && !next.done && (next.value as { data?: Watched }).data?.sessionUpdated.eventCount === 1; turn++) {
        next = await updates.next();
      }
      expect(next.done).toBe(false);
      return { id, seen: next.value };
    } finally {
      await updates.return?.();
    }
  }

  describe('graphql-sse, distinct connections mode', () => {
    const sseClient = () =>
      createSseClient({ url: `${t.url}/graphql`, headers: { 'X-API-Key': key }, singleConnection: false, retryAttempts: 0 });

    it('receives sessionUpdated when an event is ingested over REST', async () => {
      const client = sseClient();
      try {
        const { id, seen } = await updateSeenThrough((session) => client.iterate<Watched>({ query: WATCH, variables: { id: session } }));
        expect(seen).toEqual({ data: { sessionUpdated: { id, eventCount: 2, toolInvocations: 1 } } });
      } finally {
        client.dispose();
      }
    });

    it('ends the subscription at the gateway when the client disposes of it', async () => {
      const client = sseClient();
      const id = await startedSession();
      const updates = client.iterate<Watched>({ query: WATCH, variables: { id } });
      // Whatever the client still yields (at most an update for the session_start) does not matter here.
      void updates.next().catch(() => undefined);
      await untilSubscribed(t);
      client.dispose();
      await updates.return?.();
      await untilUnsubscribed(t);
    });

    it('hands a refusal over as an error: no key, no stream', async () => {
      const client = createSseClient({ url: `${t.url}/graphql`, singleConnection: false, retryAttempts: 0 });
      try {
        const updates = client.iterate<Watched>({ query: WATCH });
        await expect(updates.next()).rejects.toMatchObject({ response: { status: 401 } });
      } finally {
        client.dispose();
      }
    });
  });

  describe('graphql-ws, the key in connectionParams', () => {
    const wsClient = () =>
      createWsClient({
        url: `${t.url.replace(/^http/, 'ws')}/graphql`,
        webSocketImpl: WebSocket,
        connectionParams: { 'x-api-key': key },
        retryAttempts: 0,
      });

    it('receives sessionUpdated when an event is ingested over REST', async () => {
      const client = wsClient();
      try {
        const { id, seen } = await updateSeenThrough((session) => client.iterate<Watched>({ query: WATCH, variables: { id: session } }));
        expect(seen).toEqual({ data: { sessionUpdated: { id, eventCount: 2, toolInvocations: 1 } } });
      } finally {
        await client.dispose();
      }
    });

    it('ends the subscription at the gateway when the client disposes of it', async () => {
      const client = wsClient();
      const id = await startedSession();
      const updates = client.iterate<Watched>({ query: WATCH, variables: { id } });
      void updates.next().catch(() => undefined);
      await untilSubscribed(t);
      await updates.return?.();
      await client.dispose();
      await untilUnsubscribed(t);
    });
  });
});
