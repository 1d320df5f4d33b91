import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { accountKey, allSessions, fixedClock, ingestOk, sessionById, type RestSession } from './support/ingest-support.js';
import { event, SESSION_A, SESSION_B, startTestGateway, type TestGateway } from './support/test-gateway.js';

// docs/api.md#how-events-fold-into-sessions: how events become sessions, with a fixed clock (the inactivity closure depends on now).

const NOW = '2024-06-01T12:00:00Z';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const clock = fixedClock(NOW);
let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway({ now: clock.now });
});
afterAll(() => t.close());
beforeEach(() => clock.set(NOW));

const at = (hhmm: string) => `2024-06-01T${hhmm}Z`;

/** Ingests `events` (in one batch) into a fresh account and returns SESSION_A as REST lists it. */
async function fold(events: unknown[]): Promise<{ key: string; session: RestSession }> {
  const { key } = await accountKey(t);
  await ingestOk(t, key, events);
  return { key, session: await sessionById(t, key, SESSION_A) };
}

describe('started_at', () => {
  it('is the earliest session_start, even when other events are earlier', async () => {
    const { session } = await fold([
      event('notification', SESSION_A, at('08:00:00')),
      event('tool_use', SESSION_A, at('09:00:00')),
      event('session_start', SESSION_A, at('10:30:00')),
      event('session_start', SESSION_A, at('10:00:00')),
      event('session_start', SESSION_A, at('11:00:00')),
    ]);
    expect(session.started_at).toBe(at('10:00:00'));
  });

  it('is the earliest event of any type when no session_start has arrived', async () => {
    const { session } = await fold([
      event('tool_use', SESSION_A, at('09:00:00')),
      event('prompt_submit', SESSION_A, at('08:15:00.250')),
      event('tool_result', SESSION_A, at('09:30:00')),
    ]);
    expect(session.started_at).toBe('2024-06-01T08:15:00.250Z');
  });

  it('counts a session_end as an event when there is no session_start', async () => {
    const { session } = await fold([
      event('session_end', SESSION_A, at('08:00:00')),
      event('tool_use', SESSION_A, at('09:00:00')),
    ]);
    expect(session).toStrictEqual({
      id: SESSION_A, started_at: at('08:00:00'), ended_at: at('08:00:00'), duration_ms: 0, event_count: 2, tool_invocations: 1,
    });
  });

  it('moves to the session_start once one arrives, even when it is later than the first events', async () => {
    const { key } = await accountKey(t);
    await ingestOk(t, key, [event('tool_use', SESSION_A, at('09:00:00'))]);
    expect((await sessionById(t, key, SESSION_A)).started_at).toBe(at('09:00:00'));
    await ingestOk(t, key, [event('session_start', SESSION_A, at('10:00:00'))]);
    expect((await sessionById(t, key, SESSION_A)).started_at).toBe(at('10:00:00'));
    await ingestOk(t, key, [event('notification', SESSION_A, at('07:00:00'))]);
    expect((await sessionById(t, key, SESSION_A)).started_at).toBe(at('10:00:00'));
    await ingestOk(t, key, [event('session_start', SESSION_A, at('09:30:00'))]);
    expect((await sessionById(t, key, SESSION_A)).started_at).toBe(at('09:30:00'));
  });

  it('a session exists from its first event', async () => {
    const { session } = await fold([event('pre_compact', SESSION_A, at('11:00:00'))]);
    expect(session).toStrictEqual({
      id: SESSION_A, started_at: at('11:00:00'), ended_at: null, duration_ms: null, event_count: 1, tool_invocations: 0,
    });
  });
});

describe('ended_at', () => {
  it('is the latest session_end', async () => {
    const { session } = await fold([
      event('session_start', SESSION_A, at('10:00:00')),
      event('session_end', SESSION_A, at('11:30:00.123')),
      event('session_end', SESSION_A, at('11:00:00')),
    ]);
    expect(session).toStrictEqual({
      id: SESSION_A, started_at: at('10:00:00'), ended_at: '2024-06-01T11:30:00.123Z',
      duration_ms: 1.5 * HOUR + 123, event_count: 3, tool_invocations: 0,
    });
  });

  it('is not moved by later events other than session_start', async () => {
    const { key, session } = await fold([
      event('session_start', SESSION_A, at('10:00:00')),
      event('session_end', SESSION_A, at('11:00:00')),
      event('tool_use', SESSION_A, at('11:30:00')),
      event('assistant_stop', SESSION_A, at('11:45:00')),
    ]);
    expect(session).toMatchObject({ ended_at: at('11:00:00'), duration_ms: HOUR });
    // Long after: the session_end still decides, not the inactivity closure at the latest event.
    clock.set('2024-07-01T00:00:00Z');
    expect(await sessionById(t, key, SESSION_A)).toMatchObject({ ended_at: at('11:00:00'), duration_ms: HOUR });
  });

  it('is null when a session_start is later than the latest session_end (resumed), until it ends again', async () => {
    const { key, session } = await fold([
      event('session_start', SESSION_A, at('10:00:00')),
      event('session_end', SESSION_A, at('11:00:00')),
      event('session_start', SESSION_A, at('11:30:00')),
    ]);
    expect(session).toStrictEqual({
      id: SESSION_A, started_at: at('10:00:00'), ended_at: null, duration_ms: null, event_count: 3, tool_invocations: 0,
    });
    await ingestOk(t, key, [event('session_end', SESSION_A, at('11:45:00'))]);
    expect(await sessionById(t, key, SESSION_A)).toMatchObject({
      started_at: at('10:00:00'), ended_at: at('11:45:00'), duration_ms: 1.75 * HOUR,
    });
  });

  it('a session_end that arrives late but is earlier than a session_start does not end the session', async () => {
    const { key } = await accountKey(t);
    await ingestOk(t, key, [event('session_start', SESSION_A, at('10:00:00'))]);
    await ingestOk(t, key, [event('session_end', SESSION_A, at('09:00:00'))]);
    expect(await sessionById(t, key, SESSION_A)).toMatchObject({
      started_at: at('10:00:00'), ended_at: null, duration_ms: null,
    });
  });

  it('a session_start at the same instant as the latest session_end does not reopen it', async () => {
    const { session } = await fold([
      event('session_start', SESSION_A, at('09:00:00')),
      event('session_end', SESSION_A, at('10:00:00')),
      event('session_start', SESSION_A, at('10:00:00')),
    ]);
    expect(session).toMatchObject({ started_at: at('09:00:00'), ended_at: at('10:00:00'), duration_ms: HOUR });
  });

  it('equal start and end instants give a closed session of duration 0', async () => {
    const { session } = await fold([
      event('session_end', SESSION_A, at('10:00:00')),
      event('session_start', SESSION_A, at('10:00:00')),
    ]);
    expect(session).toStrictEqual({
      id: SESSION_A, started_at: at('10:00:00'), ended_at: at('10:00:00'), duration_ms: 0, event_count: 2, tool_invocations: 0,
    });
  });

  it('duration_ms can exceed 2^31 (REST and GraphQL)', async () => {
    const { key, session } = await fold([
      event('session_start', SESSION_A, '2024-01-01T00:00:00Z'),
      event('session_end', SESSION_A, '2024-03-01T00:00:00.001Z'),
    ]);
    const expected = 60 * DAY + 1;
    expect(expected).toBeGreaterThan(2 ** 31);
    expect(session).toMatchObject({ ended_at: '2024-03-01T00:00:00.001Z', duration_ms: expected });
    const gql = await t.graphql(`{ session(id: "${SESSION_A}") { durationMs endedAt } }`, {}, key);
    expect(gql.body).toStrictEqual({ data: { session: { durationMs: expected, endedAt: '2024-03-01T00:00:00.001Z' } } });
  });
});

describe('inactivity closure (more than 24 hours after the latest event)', () => {
  it('keeps a session open when its latest event is exactly 24 h before now, and ends it 1 ms later', async () => {
    const { key } = await accountKey(t);
    await ingestOk(t, key, [
      event('session_start', SESSION_A, at('10:00:00')),
      event('tool_use', SESSION_A, at('11:00:00')),
    ]);
    clock.set('2024-06-02T11:00:00Z');
    expect(await sessionById(t, key, SESSION_A)).toStrictEqual({
      id: SESSION_A, started_at: at('10:00:00'), ended_at: null, duration_ms: null, event_count: 2, tool_invocations: 1,
    });
    const open = await t.graphql(`{ session(id: "${SESSION_A}") { endedAt durationMs } }`, {}, key);
    expect(open.body).toStrictEqual({ data: { session: { endedAt: null, durationMs: null } } });

    clock.set('2024-06-02T11:00:00.001Z');
    expect(await sessionById(t, key, SESSION_A)).toStrictEqual({
      id: SESSION_A, started_at: at('10:00:00'), ended_at: at('11:00:00'), duration_ms: HOUR, event_count: 2, tool_invocations: 1,
    });
    const closed = await t.graphql(`{ session(id: "${SESSION_A}") { endedAt durationMs } }`, {}, key);
    expect(closed.body).toStrictEqual({ data: { session: { endedAt: at('11:00:00'), durationMs: HOUR } } });
  });

  it('uses the latest event of any type, not the latest session_start', async () => {
    const { key } = await accountKey(t);
    await ingestOk(t, key, [
      event('session_start', SESSION_A, '2024-05-20T10:00:00Z'),
      event('notification', SESSION_A, '2024-06-01T11:59:00Z'),
    ]);
    expect(await sessionById(t, key, SESSION_A)).toMatchObject({ ended_at: null, duration_ms: null });
    clock.set('2024-06-03T00:00:00Z');
    expect(await sessionById(t, key, SESSION_A)).toMatchObject({
      ended_at: '2024-06-01T11:59:00Z',
      duration_ms: Date.parse('2024-06-01T11:59:00Z') - Date.parse('2024-05-20T10:00:00Z'),
    });
  });

  it('a new event reopens an inactivity-closed session', async () => {
    const { key } = await accountKey(t);
    await ingestOk(t, key, [event('session_start', SESSION_A, '2024-05-01T10:00:00Z')]);
    expect(await sessionById(t, key, SESSION_A)).toMatchObject({ ended_at: '2024-05-01T10:00:00Z', duration_ms: 0 });
    await ingestOk(t, key, [event('tool_use', SESSION_A, at('11:00:00'))]);
    expect(await sessionById(t, key, SESSION_A)).toMatchObject({ ended_at: null, duration_ms: null });
  });

  it('closes a resumed session at its latest event once it is inactive', async () => {
    const { key } = await accountKey(t);
    await ingestOk(t, key, [
      event('session_start', SESSION_A, at('10:00:00')),
      event('session_end', SESSION_A, at('11:00:00')),
      event('session_start', SESSION_A, at('11:30:00')),
      event('tool_result', SESSION_A, at('11:40:00')),
    ]);
    expect(await sessionById(t, key, SESSION_A)).toMatchObject({ ended_at: null });
    clock.set('2024-06-02T11:40:00.001Z');
    expect(await sessionById(t, key, SESSION_A)).toMatchObject({
      started_at: at('10:00:00'), ended_at: at('11:40:00'), duration_ms: HOUR + 40 * 60_000,
    });
  });

  it('closes a session with no session_start, from its earliest to its latest event', async () => {
    const { key } = await accountKey(t);
    await ingestOk(t, key, [
      event('tool_use', SESSION_A, '2024-05-01T10:00:00Z'),
      event('tool_result', SESSION_A, '2024-05-01T10:00:01.500Z'),
    ]);
    expect(await sessionById(t, key, SESSION_A)).toStrictEqual({
      id: SESSION_A, started_at: '2024-05-01T10:00:00Z', ended_at: '2024-05-01T10:00:01.500Z',
      duration_ms: 1500, event_count: 2, tool_invocations: 1,
    });
  });
});

describe('event_count and tool_invocations', () => {
  it('event_count counts every type; tool_invocations only tool_use', async () => {
    const types = [
      'session_start', 'tool_use', 'tool_result', 'tool_use', 'tool_result', 'subagent_start', 'subagent_stop',
      'assistant_stop', 'prompt_submit', 'pre_compact', 'notification', 'tool_use', 'session_end',
    ];
    const { session } = await fold(types.map((type, i) => event(type, SESSION_A, at(`10:${String(i).padStart(2, '0')}:00`))));
    expect(session).toStrictEqual({
      id: SESSION_A, started_at: at('10:00:00'), ended_at: at('10:12:00'), duration_ms: 12 * 60_000,
      event_count: 13, tool_invocations: 3,
    });
  });

  it('adds up across batches and ignores duplicates', async () => {
    const { key } = await accountKey(t);
    await ingestOk(t, key, [event('tool_use', SESSION_A, at('10:00:00')), event('tool_result', SESSION_A, at('10:00:01'))]);
    await ingestOk(t, key, [event('tool_use', SESSION_A, at('10:00:00')), event('tool_use', SESSION_A, at('10:00:02'))]);
    expect(await sessionById(t, key, SESSION_A)).toMatchObject({ event_count: 3, tool_invocations: 2 });
  });
});

describe('sessions are keyed by (account, session_id)', () => {
  it('the same session id in two accounts is two independent sessions', async () => {
    const one = await accountKey(t);
    const two = await accountKey(t);
    await ingestOk(t, one.key, [event('session_start', SESSION_A, at('10:00:00')), event('session_end', SESSION_A, at('10:30:00'))]);
    await ingestOk(t, two.key, [event('session_start', SESSION_A, at('09:00:00')), event('tool_use', SESSION_B, at('09:05:00'))]);
    expect((await allSessions(t, one.key)).sessions).toStrictEqual([{
      id: SESSION_A, started_at: at('10:00:00'), ended_at: at('10:30:00'), duration_ms: 30 * 60_000, event_count: 2, tool_invocations: 0,
    }]);
    expect((await allSessions(t, two.key)).sessions).toStrictEqual([
      { id: SESSION_A, started_at: at('09:00:00'), ended_at: null, duration_ms: null, event_count: 1, tool_invocations: 0 },
      { id: SESSION_B, started_at: at('09:05:00'), ended_at: null, duration_ms: null, event_count: 1, tool_invocations: 1 },
    ]);
  });
});
