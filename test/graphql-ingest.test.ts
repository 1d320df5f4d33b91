import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountKey, allSessions, ingestOk, storedEventRows } from './support/ingest-support.js';
import { event, SESSION_A, SESSION_B, startTestGateway, type TestGateway } from './support/test-gateway.js';

// The `ingestEvents` mutation (docs/api.md#graphql) needs write:events, stores through the same
// path as POST /api/v1/events, and names per-event fields in GraphQL's spelling.

const BATCH_TOO_LARGE = 'Batch size exceeds limit of 1000 events per request.';

const MUTATION = /* GraphQL */ `
  mutation Send($events: [EventInput!]!) {
    ingestEvents(events: $events) { accepted rejected duplicates errors { index field message } }
  }
`;

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(() => t.close());

const gqlEvent = (eventType: string, sessionId: string, timestamp: string, extra: Record<string, unknown> = {}) => ({
  eventType, sessionId, timestamp, ...extra,
});

const SAMPLE = [
  gqlEvent('session_start', SESSION_A, '2024-01-15T10:30:00Z'),
  gqlEvent('tool_use', SESSION_A, '2024-01-15T10:31:00Z', { data: { tool_name: 'Read' }, eventId: 'evt-1' }),
  gqlEvent('session_end', SESSION_A, '2024-01-15T11:45:23Z'),
];

describe('ingestEvents: authorization', () => {
  it('without a key: UNAUTHENTICATED, nothing stored', async () => {
    const before = (await storedEventRows(t));
    const { body } = await t.graphql(MUTATION, { events: SAMPLE }, null);
    expect(body.data).toStrictEqual({ ingestEvents: null });
    expect(body.errors).toHaveLength(1);
    expect(body.errors![0]).toMatchObject({
      message: 'Missing or invalid API key.',
      path: ['ingestEvents'],
      extensions: { code: 'UNAUTHENTICATED' },
    });
    expect((await storedEventRows(t))).toBe(before);
  });

  it('with an unknown key: UNAUTHENTICATED, nothing stored', async () => {
    const before = (await storedEventRows(t));
    const { body } = await t.graphql(MUTATION, { events: SAMPLE }, `ct_live_${'0'.repeat(32)}`);
    expect(body.data).toStrictEqual({ ingestEvents: null });
    expect(body.errors![0]).toMatchObject({ message: 'Missing or invalid API key.', extensions: { code: 'UNAUTHENTICATED' } });
    expect((await storedEventRows(t))).toBe(before);
  });

  it('with a read-only key: FORBIDDEN naming write:events, nothing stored', async () => {
    const { key } = await accountKey(t, { scopes: ['read:analytics'] });
    const { body } = await t.graphql(MUTATION, { events: SAMPLE }, key);
    expect(body.data).toStrictEqual({ ingestEvents: null });
    expect(body.errors).toHaveLength(1);
    expect(body.errors![0]).toMatchObject({
      message: 'This API key does not have the required scope: write:events',
      path: ['ingestEvents'],
      extensions: { code: 'FORBIDDEN' },
    });
    expect((await allSessions(t, key)).total).toBe(0);
  });

  it('with a write-only key: stored, and REST GET on the same account sees the session', async () => {
    const { account, key } = await accountKey(t, { scopes: ['write:events'] });
    const { body } = await t.graphql(MUTATION, { events: SAMPLE }, key);
    expect(body).toStrictEqual({
      data: { ingestEvents: { accepted: 3, rejected: 0, duplicates: 0, errors: [] } },
    });
    const reader = await accountKey(t, { account, scopes: ['read:analytics'] });
    expect(await allSessions(t, reader.key)).toStrictEqual({
      total: 1,
      sessions: [{
        id: SESSION_A,
        started_at: '2024-01-15T10:30:00Z',
        ended_at: '2024-01-15T11:45:23Z',
        duration_ms: 4_523_000,
        event_count: 3,
        tool_invocations: 1,
      }],
    });
  });
});

describe('ingestEvents: the same store as REST', () => {
  it('duplicates are shared with POST /api/v1/events, in both directions', async () => {
    const { key } = await accountKey(t);
    await ingestOk(t, key, [
      event('tool_use', SESSION_A, '2024-01-15T10:31:00Z', { data: { tool_name: 'Read' }, event_id: 'evt-1' }),
      event('notification', SESSION_A, '2024-01-15T10:32:00Z', { data: { b: 1, a: 2 } }),
    ]);
    const { body } = await t.graphql(MUTATION, {
      events: [
        gqlEvent('tool_use', SESSION_A.toUpperCase(), '2024-01-15T11:31:00+01:00', { eventId: 'evt-1' }),
        gqlEvent('notification', SESSION_A, '2024-01-15T10:32:00.000Z', { data: { a: 2, b: 1 } }),
        gqlEvent('tool_use', SESSION_B, '2024-01-15T10:33:00Z'),
      ],
    }, key);
    expect(body).toStrictEqual({ data: { ingestEvents: { accepted: 3, rejected: 0, duplicates: 2, errors: [] } } });
    expect(await ingestOk(t, key, [event('tool_use', SESSION_B, '2024-01-15T10:33:00Z')])).toMatchObject({ duplicates: 1 });
    const { sessions } = await allSessions(t, key);
    expect(sessions.map((s) => [s.id, s.event_count])).toStrictEqual([[SESSION_A, 2], [SESSION_B, 1]]);
  });

  it('accepts inline literals, including a data object', async () => {
    const { key } = await accountKey(t);
    const { body } = await t.graphql(`mutation {
      ingestEvents(events: [
        { eventType: "session_start", sessionId: "${SESSION_A}", timestamp: "2024-01-15T10:30:00Z" },
        { eventType: "tool_use", sessionId: "${SESSION_A}", timestamp: "2024-01-15T10:31:00Z",
          data: { tool_name: "Read", nested: { n: 1, list: [1, "two"] } }, eventId: "e1" }
      ]) { accepted rejected duplicates errors { index field message } }
    }`, {}, key);
    expect(body).toStrictEqual({ data: { ingestEvents: { accepted: 2, rejected: 0, duplicates: 0, errors: [] } } });
    const again = await ingestOk(t, key, [
      event('tool_use', SESSION_A, '2024-01-15T10:31:00Z', { data: { nested: { list: [1, 'two'], n: 1 }, tool_name: 'Read' } }),
    ]);
    // Same type, instant and data, but the stored one has an event_id: not a duplicate.
    expect(again).toMatchObject({ duplicates: 0 });
  });

  it('keeps a variable used inside an inline data object', async () => {
    const { key } = await accountKey(t);
    const { body } = await t.graphql(`mutation($tool: String, $n: Int) {
      ingestEvents(events: [{ eventType: "tool_use", sessionId: "${SESSION_B}", timestamp: "2024-01-15T10:31:00Z",
                              data: { tool_name: $tool, nested: { n: $n } } }]) { accepted rejected }
    }`, { tool: 'Grep', n: 7 }, key);
    expect(body).toStrictEqual({ data: { ingestEvents: { accepted: 1, rejected: 0 } } });
    const read = await t.graphql(`{ session(id: "${SESSION_B}") { tools { name count } events { data } } }`, {}, key);
    expect(read.body.data?.['session']).toStrictEqual({ tools: [{ name: 'Grep', count: 1 }], events: [{ data: { tool_name: 'Grep', nested: { n: 7 } } }] });
  });

  it('the session is visible to GraphQL queries too', async () => {
    const { key } = await accountKey(t);
    await t.graphql(MUTATION, { events: SAMPLE }, key);
    const { body } = await t.graphql(`{ session(id: "${SESSION_A}") { id startedAt endedAt durationMs eventCount toolInvocations } }`, {}, key);
    expect(body).toStrictEqual({
      data: {
        session: {
          id: SESSION_A, startedAt: '2024-01-15T10:30:00Z', endedAt: '2024-01-15T11:45:23Z',
          durationMs: 4_523_000, eventCount: 3, toolInvocations: 1,
        },
      },
    });
  });
});

describe('ingestEvents: per-event errors use GraphQL field names', () => {
  it('explains each invalid event by index and camelCase field, storing the valid ones', async () => {
    const { key } = await accountKey(t);
    const { body } = await t.graphql(MUTATION, {
      events: [
        gqlEvent('tool_use', 'not-a-uuid', '2024-01-15T10:30:00Z'),
        gqlEvent('bogus', SESSION_A, '2024-01-15T10:30:00Z'),
        gqlEvent('tool_use', SESSION_A, '2024-01-15'),
        gqlEvent('tool_use', SESSION_A, '2024-01-15T10:30:00Z', { eventId: 'e'.repeat(129) }),
        gqlEvent('tool_use', SESSION_A, '2024-01-15T10:30:00Z', { data: { x: 'a'.repeat(64 * 1024) } }),
        gqlEvent('session_start', SESSION_A, '2024-01-15T10:30:00Z', { eventId: 'e'.repeat(128) }),
      ],
    }, key);
    expect(body.errors).toBeUndefined();
    expect(body.data).toStrictEqual({
      ingestEvents: {
        accepted: 1,
        rejected: 5,
        duplicates: 0,
        errors: [
          { index: 0, field: 'events[0].sessionId', message: expect.any(String) },
          { index: 1, field: 'events[1].eventType', message: expect.any(String) },
          { index: 2, field: 'events[2].timestamp', message: expect.any(String) },
          { index: 3, field: 'events[3].eventId', message: expect.any(String) },
          { index: 4, field: 'events[4].data', message: expect.any(String) },
        ],
      },
    });
    const { sessions } = await allSessions(t, key);
    expect(sessions).toStrictEqual([{
      id: SESSION_A, started_at: '2024-01-15T10:30:00Z', ended_at: '2024-01-15T10:30:00Z',
      duration_ms: 0, event_count: 1, tool_invocations: 0,
    }]);
  });

  it('names every bad field of one event, counting the event once', async () => {
    const { key } = await accountKey(t);
    const { body } = await t.graphql(MUTATION, {
      events: [gqlEvent('bogus', 'nope', 'later', { eventId: 'e'.repeat(200) })],
    }, key);
    const result = body.data!['ingestEvents'];
    expect(result).toMatchObject({ accepted: 0, rejected: 1, duplicates: 0 });
    expect(result.errors.map((e: { field: string }) => e.field).sort()).toStrictEqual([
      'events[0].eventId', 'events[0].eventType', 'events[0].sessionId', 'events[0].timestamp',
    ]);
  });
});

describe('ingestEvents: batch rules', () => {
  it('an empty batch is a VALIDATION_ERROR', async () => {
    const { key } = await accountKey(t);
    const { body } = await t.graphql(MUTATION, { events: [] }, key);
    expect(body.data).toStrictEqual({ ingestEvents: null });
    expect(body.errors).toHaveLength(1);
    expect(body.errors![0]).toMatchObject({ path: ['ingestEvents'], extensions: { code: 'VALIDATION_ERROR' } });
  });

  it('1001 events is a VALIDATION_ERROR with the batch-size message, and nothing is stored', async () => {
    const { key } = await accountKey(t);
    const events = Array.from({ length: 1001 }, (_, i) =>
      gqlEvent('tool_use', SESSION_A, new Date(Date.UTC(2024, 0, 15, 10, 0, 0, i)).toISOString(), { eventId: `e${i}` }));
    const { body } = await t.graphql(MUTATION, { events }, key);
    expect(body.data).toStrictEqual({ ingestEvents: null });
    expect(body.errors).toHaveLength(1);
    expect(body.errors![0]).toMatchObject({
      message: BATCH_TOO_LARGE,
      path: ['ingestEvents'],
      extensions: { code: 'VALIDATION_ERROR' },
    });
    expect((await allSessions(t, key)).total).toBe(0);

    const { body: ok } = await t.graphql(MUTATION, { events: events.slice(0, 1000) }, key);
    expect(ok).toStrictEqual({ data: { ingestEvents: { accepted: 1000, rejected: 0, duplicates: 0, errors: [] } } });
  });
});
