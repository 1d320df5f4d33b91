// GraphQL Session.events(limit, offset), the timeline (oldest first, ties in
// storage order: type, timestamp, data), and Session.tools (name and count of each tool used).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './support/test-gateway.js';

const NOW = Date.parse('2024-06-01T00:00:00Z');
const A = 'e0000000-0000-4000-8000-00000000000a';
const B = 'e0000000-0000-4000-8000-00000000000b';
const BIG = 'e0000000-0000-4000-8000-0000000000ff';
const QUIET = 'e0000000-0000-4000-8000-000000000000';

let t: TestGateway;
let key: string;

async function send(k: string, events: unknown[]): Promise<void> {
  const response = await t.post('/api/v1/events', { events }, k);
  const body = (await response.json()) as { data: { rejected: number } };
  expect(response.status).toBe(200);
  expect(body.data.rejected).toBe(0);
}

const e = (type: string, session: string, timestamp: string, data?: Record<string, unknown>, eventId?: string) => ({
  event_type: type, session_id: session, timestamp, ...(data ? { data } : {}), ...(eventId ? { event_id: eventId } : {}),
});

beforeAll(async () => {
  t = await startTestGateway({ now: () => NOW });
  key = await t.key({ account: 'timeline', scopes: ['read:analytics', 'write:events'], tier: 'unlimited' });
  // Delivered out of order, over three batches. Storage order: the batch order, then the order
  // within a batch.
  await send(key, [
    e('session_end', A, '2024-05-01T11:00:00Z'),
    e('tool_use', A, '2024-05-01T10:05:00Z', { tool_name: 'Read', tool_use_id: 'x' }, 'first-at-1005'),
    e('tool_result', A, '2024-05-01T10:05:00Z', { tool_name: 'Read', tool_use_id: 'x', duration_ms: 3 }),
  ]);
  await send(key, [
    e('tool_use', A, '2024-05-01T10:05:00Z', { tool_name: 'Bash', nested: { z: 1, a: [1, 'two'] } }),
    e('session_start', A, '2024-05-01T10:00:00.250Z'),
    e('tool_use', A, '2024-05-01T10:06:00Z', { tool_name: 'Bash' }),
    e('tool_use', A, '2024-05-01T10:07:00Z', { tool_name: 'Edit' }),
    e('tool_use', A, '2024-05-01T10:08:00Z'),
    e('tool_result', A, '2024-05-01T10:09:00Z', { tool_name: 'Ghost' }),
  ]);
  await send(key, [
    // A redelivery of the first tool_use: not stored again, so not shown twice.
    e('tool_use', A, '2024-05-01T10:05:00Z', { tool_name: 'Read', tool_use_id: 'x' }, 'first-at-1005'),
    e('notification', A, '2024-05-01T10:05:00Z', { message: 'hi' }),
    e('session_start', B, '2024-05-02T09:00:00Z'),
    e('tool_use', B, '2024-05-02T09:01:00Z', { tool_name: 'Write' }),
    e('session_start', QUIET, '2024-04-01T09:00:00Z'),
  ]);
  // 501 events, to see the limit of 500.
  const big = Array.from({ length: 501 }, (_, i) =>
    e('prompt_submit', BIG, new Date(Date.parse('2024-05-03T00:00:00Z') + i * 1000).toISOString(), { n: i }));
  await send(key, big.slice(0, 300));
  await send(key, big.slice(300));
});
afterAll(() => t.close());

/** A's timeline, by hand: timestamp order, then storage order. */
const A_TIMELINE = [
  { type: 'session_start', timestamp: '2024-05-01T10:00:00.250Z', data: {} },
  { type: 'tool_use', timestamp: '2024-05-01T10:05:00Z', data: { tool_name: 'Read', tool_use_id: 'x' } },
  { type: 'tool_result', timestamp: '2024-05-01T10:05:00Z', data: { duration_ms: 3, tool_name: 'Read', tool_use_id: 'x' } },
  { type: 'tool_use', timestamp: '2024-05-01T10:05:00Z', data: { nested: { a: [1, 'two'], z: 1 }, tool_name: 'Bash' } },
  { type: 'notification', timestamp: '2024-05-01T10:05:00Z', data: { message: 'hi' } },
  { type: 'tool_use', timestamp: '2024-05-01T10:06:00Z', data: { tool_name: 'Bash' } },
  { type: 'tool_use', timestamp: '2024-05-01T10:07:00Z', data: { tool_name: 'Edit' } },
  { type: 'tool_use', timestamp: '2024-05-01T10:08:00Z', data: {} },
  { type: 'tool_result', timestamp: '2024-05-01T10:09:00Z', data: { tool_name: 'Ghost' } },
  { type: 'session_end', timestamp: '2024-05-01T11:00:00Z', data: {} },
];

async function timeline(id: string, args = ''): Promise<unknown> {
  const { body } = await t.graphql(`{ session(id: "${id}") { events${args} { type timestamp data } } }`, {}, key);
  expect(body.errors).toBeUndefined();
  return body.data?.['session'].events;
}

describe('Session.events', () => {
  it('lists every stored event oldest first, ties in storage order, with type, timestamp and data', async () => {
    expect(await timeline(A)).toEqual(A_TIMELINE);
  });

  it('pages with limit and offset', async () => {
    expect(await timeline(A, '(limit: 3)')).toEqual(A_TIMELINE.slice(0, 3));
    expect(await timeline(A, '(limit: 3, offset: 2)')).toEqual(A_TIMELINE.slice(2, 5));
    expect(await timeline(A, '(offset: 9)')).toEqual(A_TIMELINE.slice(9));
    expect(await timeline(A, '(offset: 10)')).toEqual([]);
    expect(await timeline(A, '(offset: 2147483647)')).toEqual([]);
    expect(await timeline(QUIET)).toEqual([{ type: 'session_start', timestamp: '2024-04-01T09:00:00Z', data: {} }]);
  });

  it('defaults limit to 50 and applies anything above 500 as 500', async () => {
    const all = Array.from({ length: 501 }, (_, i) => i);
    const ns = (events: unknown) => (events as { data: { n: number } }[]).map((x) => x.data.n);
    expect(ns(await timeline(BIG))).toEqual(all.slice(0, 50));
    expect(ns(await timeline(BIG, '(limit: 500)'))).toEqual(all.slice(0, 500));
    expect(ns(await timeline(BIG, '(limit: 501)'))).toEqual(all.slice(0, 500));
    expect(ns(await timeline(BIG, '(limit: 2147483647)'))).toEqual(all.slice(0, 500));
    expect(ns(await timeline(BIG, '(limit: 500, offset: 500)'))).toEqual([500]);
  });

  it('rejects a limit below 1 or a negative offset with VALIDATION_ERROR', async () => {
    for (const [args, field] of [['(limit: 0)', 'limit'], ['(limit: -5)', 'limit'], ['(offset: -1)', 'offset']]) {
      const { body } = await t.graphql(`{ session(id: "${A}") { id events${args} { type } } }`, {}, key);
      expect(body.data, args).toEqual({ session: null });
      expect(body.errors?.map((x) => [x.extensions?.['code'], x.path, x.extensions?.['details']?.map((d: { field: string }) => d.field)]))
        .toEqual([['VALIDATION_ERROR', ['session', 'events'], [field]]]);
    }
  });

  it('gives each session of a page its own timeline page', async () => {
    const { body } = await t.graphql(
      '{ sessions(startDate: "2024-04-01", endDate: "2024-05-02T23:59:59Z") { nodes { id events(limit: 2, offset: 1) { type timestamp } } } }',
      {}, key,
    );
    expect(body).toEqual({
      data: {
        sessions: {
          nodes: [
            { id: QUIET, events: [] },
            { id: A, events: A_TIMELINE.slice(1, 3).map(({ type, timestamp }) => ({ type, timestamp })) },
            { id: B, events: [{ type: 'tool_use', timestamp: '2024-05-02T09:01:00Z' }] },
          ],
        },
      },
    });
  });

  it('serves two pages of one session in one request (aliases)', async () => {
    const { body } = await t.graphql(
      `{ session(id: "${A}") { head: events(limit: 2) { type } tail: events(limit: 2, offset: 8) { type } again: events(limit: 2) { type } } }`,
      {}, key,
    );
    expect(body).toEqual({
      data: {
        session: {
          head: [{ type: 'session_start' }, { type: 'tool_use' }],
          tail: [{ type: 'tool_result' }, { type: 'session_end' }],
          again: [{ type: 'session_start' }, { type: 'tool_use' }],
        },
      },
    });
  });
});

describe('Session.tools', () => {
  it('names each tool the session invoked with its tool_use count, by count, then name', async () => {
    const { body } = await t.graphql(
      `{ a: session(id: "${A}") { tools { name count } } b: session(id: "${B}") { tools { name count } } quiet: session(id: "${QUIET}") { tools { name count } } }`,
      {}, key,
    );
    expect(body).toEqual({
      data: {
        // Bash 2, Edit 1, Read 1 (redelivered once); not the unnamed tool_use, nor Ghost (a result only).
        a: { tools: [{ name: 'Bash', count: 2 }, { name: 'Edit', count: 1 }, { name: 'Read', count: 1 }] },
        b: { tools: [{ name: 'Write', count: 1 }] },
        quiet: { tools: [] },
      },
    });
  });

  it("shows nothing of another account's session with the same id", async () => {
    const rival = await t.key({ account: 'timeline-rival', scopes: ['read:analytics', 'write:events'], tier: 'unlimited' });
    await send(rival, [e('tool_use', A, '2024-05-01T10:30:00Z', { tool_name: 'Secret' })]);
    const mine = await t.graphql(`{ session(id: "${A}") { tools { name } events(limit: 500) { type } } }`, {}, key);
    expect(mine.body.data?.['session'].tools.map((x: { name: string }) => x.name)).toEqual(['Bash', 'Edit', 'Read']);
    expect(mine.body.data?.['session'].events).toHaveLength(A_TIMELINE.length);
    const theirs = await t.graphql(`{ session(id: "${A}") { tools { name count } events { type timestamp } } }`, {}, rival);
    expect(theirs.body).toEqual({
      data: { session: { tools: [{ name: 'Secret', count: 1 }], events: [{ type: 'tool_use', timestamp: '2024-05-01T10:30:00Z' }] } },
    });
  });
});
