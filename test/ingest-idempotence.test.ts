import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountKey, allSessions, ingest, ingestOk, sessionById } from './support/ingest-support.js';
import { event, SESSION_A, SESSION_B, startTestGateway, type TestGateway } from './support/test-gateway.js';

// docs/api.md#idempotence: a delivery is idempotent; duplicates count in `accepted`
// and in `duplicates`, and are not stored again — within one batch too.

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(() => t.close());

const T0 = '2024-01-15T10:30:00Z';

async function eventCount(key: string, sessionId = SESSION_A): Promise<number> {
  return (await sessionById(t, key, sessionId)).event_count;
}

describe('duplicates by event_id', () => {
  it('a redelivered event with an event_id is a duplicate, counted in accepted', async () => {
    const { key } = await accountKey(t);
    const batch = [
      event('session_start', SESSION_A, T0, { event_id: 'a' }),
      event('tool_use', SESSION_A, '2024-01-15T10:31:00Z', { event_id: 'b', data: { tool_name: 'Read' } }),
    ];
    expect(await ingestOk(t, key, batch)).toStrictEqual({ accepted: 2, rejected: 0, duplicates: 0, errors: [] });
    expect(await ingestOk(t, key, batch)).toStrictEqual({ accepted: 2, rejected: 0, duplicates: 2, errors: [] });
    expect(await sessionById(t, key, SESSION_A)).toMatchObject({ event_count: 2, tool_invocations: 1 });
  });

  it('the same event_id with different content is a duplicate (the first stored wins)', async () => {
    const { key } = await accountKey(t);
    await ingestOk(t, key, [event('tool_use', SESSION_A, T0, { event_id: 'x', data: { tool_name: 'Read' } })]);
    const again = await ingestOk(t, key, [
      event('session_end', SESSION_A, '2024-01-15T12:00:00Z', { event_id: 'x', data: { other: true } }),
    ]);
    expect(again).toStrictEqual({ accepted: 1, rejected: 0, duplicates: 1, errors: [] });
    const { sessions } = await allSessions(t, key);
    expect(sessions).toStrictEqual([{
      id: SESSION_A, started_at: T0, ended_at: T0, duration_ms: 0, event_count: 1, tool_invocations: 1,
    }]);
  });

  it('the same event_id twice within one batch is stored once', async () => {
    const { key } = await accountKey(t);
    const data = await ingestOk(t, key, [
      event('tool_use', SESSION_A, T0, { event_id: 'x' }),
      event('tool_use', SESSION_A, '2024-01-15T10:31:00Z', { event_id: 'x' }),
      event('tool_use', SESSION_A, T0, { event_id: 'x' }),
    ]);
    expect(data).toStrictEqual({ accepted: 3, rejected: 0, duplicates: 2, errors: [] });
    expect(await eventCount(key)).toBe(1);
  });

  it('event_ids are per session: the same event_id in another session is a new event', async () => {
    const { key } = await accountKey(t);
    const data = await ingestOk(t, key, [
      event('tool_use', SESSION_A, T0, { event_id: 'shared' }),
      event('tool_use', SESSION_B, T0, { event_id: 'shared' }),
    ]);
    expect(data).toStrictEqual({ accepted: 2, rejected: 0, duplicates: 0, errors: [] });
    expect(await eventCount(key, SESSION_A)).toBe(1);
    expect(await eventCount(key, SESSION_B)).toBe(1);
  });

  it('event_ids are per account: another account is never a duplicate', async () => {
    const first = await accountKey(t);
    const second = await accountKey(t);
    const batch = [event('tool_use', SESSION_A, T0, { event_id: 'e1' })];
    expect(await ingestOk(t, first.key, batch)).toMatchObject({ duplicates: 0 });
    expect(await ingestOk(t, second.key, batch)).toMatchObject({ duplicates: 0 });
    expect(await eventCount(first.key)).toBe(1);
    expect(await eventCount(second.key)).toBe(1);
  });

  it('event_ids are compared exactly (case matters)', async () => {
    const { key } = await accountKey(t);
    const data = await ingestOk(t, key, [
      event('tool_use', SESSION_A, T0, { event_id: 'Evt-1' }),
      event('tool_use', SESSION_A, T0, { event_id: 'evt-1' }),
    ]);
    expect(data).toMatchObject({ accepted: 2, duplicates: 0 });
    expect(await eventCount(key)).toBe(2);
  });

  it('an upper-case session_id matches the stored lower-case session for event_id duplicates', async () => {
    const { key } = await accountKey(t);
    await ingestOk(t, key, [event('tool_use', SESSION_A, T0, { event_id: 'x' })]);
    expect(await ingestOk(t, key, [event('tool_use', SESSION_A.toUpperCase(), T0, { event_id: 'x' })]))
      .toMatchObject({ accepted: 1, duplicates: 1 });
    expect(await eventCount(key)).toBe(1);
  });
});

describe('duplicates without event_id: same type, instant and data', () => {
  it('an identical redelivery is a duplicate', async () => {
    const { key } = await accountKey(t);
    const e = event('tool_use', SESSION_A, T0, { data: { tool_name: 'Read', file: 'a.ts' } });
    expect(await ingestOk(t, key, [e])).toMatchObject({ accepted: 1, duplicates: 0 });
    expect(await ingestOk(t, key, [e])).toStrictEqual({ accepted: 1, rejected: 0, duplicates: 1, errors: [] });
    expect(await sessionById(t, key, SESSION_A)).toMatchObject({ event_count: 1, tool_invocations: 1 });
  });

  it('data with its keys in another order is the same data (at every depth)', async () => {
    const { key } = await accountKey(t);
    await ingestOk(t, key, [
      event('tool_use', SESSION_A, T0, { data: { tool_name: 'Read', input: { path: 'a', limit: 3 }, list: [{ y: 1, x: 2 }] } }),
    ]);
    const again = await ingestOk(t, key, [
      event('tool_use', SESSION_A, T0, { data: { list: [{ x: 2, y: 1 }], input: { limit: 3, path: 'a' }, tool_name: 'Read' } }),
    ]);
    expect(again).toMatchObject({ accepted: 1, duplicates: 1 });
    expect(await eventCount(key)).toBe(1);
  });

  it('absent data equals {}', async () => {
    const { key } = await accountKey(t);
    await ingestOk(t, key, [event('notification', SESSION_A, T0)]);
    expect(await ingestOk(t, key, [event('notification', SESSION_A, T0, { data: {} })])).toMatchObject({ duplicates: 1 });
    const other = await accountKey(t);
    await ingestOk(t, other.key, [event('notification', SESSION_A, T0, { data: {} })]);
    expect(await ingestOk(t, other.key, [event('notification', SESSION_A, T0)])).toMatchObject({ duplicates: 1 });
    expect(await eventCount(key)).toBe(1);
    expect(await eventCount(other.key)).toBe(1);
  });

  it('data with a `__proto__` key is not the same data as {}', async () => {
    // Raw JSON text: an object literal with __proto__ would set a prototype instead of a key.
    const { key } = await accountKey(t);
    const raw = (data: string) =>
      `{"event_type":"tool_use","session_id":"${SESSION_A}","timestamp":"${T0}","data":${data}}`;
    const { status, body } = await ingest(t, key, `{"events":[${raw('{}')},${raw('{"__proto__":{"a":1}}')},${raw('{"__proto__":{"a":2}}')}]}`);
    expect(status).toBe(200);
    expect(body).toStrictEqual({ data: { accepted: 3, rejected: 0, duplicates: 0, errors: [] } });
    expect(await eventCount(key)).toBe(3);
  });

  it('the same instant written differently is the same instant', async () => {
    const { key } = await accountKey(t);
    await ingestOk(t, key, [event('tool_use', SESSION_A, '2024-01-15T10:30:00Z')]);
    for (const spelling of [
      '2024-01-15T12:30:00+02:00',
      '2024-01-15T10:30:00.000Z',
      '2024-01-15T10:30:00.000+00:00',
      '2024-01-15T05:00:00-05:30',
    ]) {
      expect(await ingestOk(t, key, [event('tool_use', SESSION_A, spelling)]), spelling).toMatchObject({ duplicates: 1 });
    }
    expect(await eventCount(key)).toBe(1);
  });

  it('the same instant written differently within one batch is stored once', async () => {
    const { key } = await accountKey(t);
    const data = await ingestOk(t, key, [
      event('tool_use', SESSION_A, '2024-01-15T10:30:00.250Z', { data: { a: 1, b: 2 } }),
      event('tool_use', SESSION_A, '2024-01-15T11:30:00.25+01:00', { data: { b: 2, a: 1 } }),
      event('tool_use', SESSION_A.toUpperCase(), '2024-01-15T10:30:00.250Z', { data: { a: 1, b: 2 } }),
    ]);
    expect(data).toStrictEqual({ accepted: 3, rejected: 0, duplicates: 2, errors: [] });
    expect(await eventCount(key)).toBe(1);
  });

  it('identical events within one batch are stored once', async () => {
    const { key } = await accountKey(t);
    const e = event('assistant_stop', SESSION_A, T0);
    expect(await ingestOk(t, key, [e, e, e, e])).toStrictEqual({ accepted: 4, rejected: 0, duplicates: 3, errors: [] });
    expect(await eventCount(key)).toBe(1);
  });

  it('different events at the same instant are all kept', async () => {
    const { key } = await accountKey(t);
    const data = await ingestOk(t, key, [
      event('tool_use', SESSION_A, T0),
      event('tool_result', SESSION_A, T0),
      event('tool_use', SESSION_A, T0, { data: { tool_name: 'Read' } }),
      event('tool_use', SESSION_A, T0, { data: { tool_name: 'Edit' } }),
      event('tool_use', SESSION_A, T0, { data: { tool_name: 'Read', n: 1 } }),
      event('tool_use', SESSION_A, T0, { data: { tool_name: 'Read', n: '1' } }),
      event('tool_use', SESSION_A, '2024-01-15T10:30:00.001Z'),
    ]);
    expect(data).toStrictEqual({ accepted: 7, rejected: 0, duplicates: 0, errors: [] });
    expect(await sessionById(t, key, SESSION_A)).toMatchObject({ event_count: 7, tool_invocations: 6 });
  });

  it('identical events in two sessions are two events', async () => {
    const { key } = await accountKey(t);
    expect(await ingestOk(t, key, [event('tool_use', SESSION_A, T0), event('tool_use', SESSION_B, T0)]))
      .toMatchObject({ duplicates: 0 });
    expect(await eventCount(key, SESSION_A)).toBe(1);
    expect(await eventCount(key, SESSION_B)).toBe(1);
  });
});

describe('events with and without event_id', () => {
  it('an event with an event_id never duplicates one without (either order)', async () => {
    const { key } = await accountKey(t);
    const plain = event('tool_use', SESSION_A, T0, { data: { tool_name: 'Read' } });
    const withId = { ...plain, event_id: 'e-1' };
    expect(await ingestOk(t, key, [plain])).toMatchObject({ duplicates: 0 });
    expect(await ingestOk(t, key, [withId])).toMatchObject({ duplicates: 0 });
    expect(await eventCount(key)).toBe(2);

    const other = await accountKey(t);
    expect(await ingestOk(t, other.key, [withId])).toMatchObject({ duplicates: 0 });
    expect(await ingestOk(t, other.key, [plain])).toMatchObject({ duplicates: 0 });
    expect(await eventCount(other.key)).toBe(2);
  });

  it('within one batch too', async () => {
    const { key } = await accountKey(t);
    const plain = event('tool_use', SESSION_A, T0);
    const data = await ingestOk(t, key, [plain, { ...plain, event_id: 'e-1' }, plain, { ...plain, event_id: 'e-1' }]);
    expect(data).toStrictEqual({ accepted: 4, rejected: 0, duplicates: 2, errors: [] });
    expect(await eventCount(key)).toBe(2);
  });

  it('two events with different event_ids and identical content are both kept', async () => {
    const { key } = await accountKey(t);
    const plain = event('tool_use', SESSION_A, T0);
    expect(await ingestOk(t, key, [{ ...plain, event_id: 'a' }, { ...plain, event_id: 'b' }])).toMatchObject({ duplicates: 0 });
    expect(await eventCount(key)).toBe(2);
  });
});

describe('duplicates and rejections together', () => {
  it('accepted counts valid events including duplicates; rejected events are not duplicates', async () => {
    const { key } = await accountKey(t);
    await ingestOk(t, key, [event('session_start', SESSION_A, T0, { event_id: 's' })]);
    const { status, body } = await ingest(t, key, {
      events: [
        event('session_start', SESSION_A, T0, { event_id: 's' }),
        event('session_start', 'nope', T0, { event_id: 's' }),
        event('tool_use', SESSION_A, '2024-01-15T10:31:00Z'),
        event('tool_use', SESSION_A, '2024-01-15T10:31:00Z'),
      ],
    });
    expect(status).toBe(200);
    expect(body).toStrictEqual({
      data: {
        accepted: 3,
        rejected: 1,
        duplicates: 2,
        errors: [{ index: 1, field: 'events[1].session_id', message: expect.any(String) }],
      },
    });
    expect(await eventCount(key)).toBe(2);
  });

  it('concurrent redeliveries of one batch store it once', async () => {
    const { key } = await accountKey(t);
    const batch = [
      event('session_start', SESSION_A, T0),
      event('tool_use', SESSION_A, '2024-01-15T10:31:00Z', { event_id: 'u' }),
      event('tool_use', SESSION_B, '2024-01-15T10:32:00Z', { data: { tool_name: 'Read' } }),
      event('session_end', SESSION_A, '2024-01-15T10:45:00Z'),
    ];
    const results = await Promise.all(Array.from({ length: 6 }, () => ingest(t, key, { events: batch })));
    for (const r of results) expect(r.status).toBe(200);
    expect(results.map((r) => r.body.data.accepted)).toStrictEqual([4, 4, 4, 4, 4, 4]);
    expect(results.reduce((n, r) => n + r.body.data.duplicates, 0)).toBe(5 * 4);
    const { sessions } = await allSessions(t, key);
    expect(sessions.map((s) => [s.id, s.event_count, s.tool_invocations])).toStrictEqual([[SESSION_A, 3, 1], [SESSION_B, 1, 1]]);
  });

  it('a batch made only of duplicates changes nothing', async () => {
    const { key } = await accountKey(t);
    const batch = [
      event('session_start', SESSION_A, T0),
      event('tool_use', SESSION_A, '2024-01-15T10:31:00Z', { event_id: 'u' }),
      event('session_end', SESSION_A, '2024-01-15T10:45:00Z'),
    ];
    await ingestOk(t, key, batch);
    const before = await allSessions(t, key);
    expect(await ingestOk(t, key, [...batch].reverse())).toStrictEqual({ accepted: 3, rejected: 0, duplicates: 3, errors: [] });
    expect(await allSessions(t, key)).toStrictEqual(before);
  });
});
