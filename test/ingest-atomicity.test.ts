import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { accountKey, allSessions, ingestOk, storedEventRows } from './support/ingest-support.js';
import { sideQuery } from './support/side-connection.js';
import { event, SESSION_A, SESSION_B, startTestGateway, type TestGateway } from './support/test-gateway.js';

// docs/api.md#atomicity: a batch is one transaction; when storing it fails (a 5xx) nothing of it is
// stored, so the client may retry. docs/api.md#errors: a 500 is INTERNAL_ERROR with a generic
// message and the request id, never SQL.
//
// A genuine failure in the middle of the transaction, without mocks: a trigger, created on the
// gateway's own SQLite file through a second connection, aborts the insert of one session's row.
// The batch's events are inserted before the session rows are folded, so they must be rolled back.

const POISON = 'dead0000-0000-4000-8000-00000000dead';
const TRIGGER = 'ingest_atomicity_poison';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(() => t.close());
afterEach(() => setPoison(false));

async function setPoison(on: boolean): Promise<void> {
  if (t.gateway.database.dialect === 'sqlite') {
    await sideQuery(t, `drop trigger if exists ${TRIGGER}`);
    if (on) {
      await sideQuery(t, `create trigger ${TRIGGER} before insert on sessions when new.id = '${POISON}'
               begin select raise(abort, 'poisoned sessions row for ${POISON}'); end`);
    }
    return;
  }
  await sideQuery(t, `drop trigger if exists ${TRIGGER} on sessions`);
  if (on) {
    await sideQuery(t, `create or replace function ${TRIGGER}() returns trigger language plpgsql as $$
      begin
        if new.id = '${POISON}' then raise exception 'poisoned sessions row for ${POISON}'; end if;
        return new;
      end $$`);
    await sideQuery(t, `create trigger ${TRIGGER} before insert on sessions for each row execute function ${TRIGGER}()`);
  }
}

const BATCH = [
  event('session_end', SESSION_A, '2024-01-15T11:00:00Z'),
  event('tool_use', SESSION_B, '2024-01-15T10:05:00Z', { data: { tool_name: 'Read' } }),
  event('tool_use', POISON, '2024-01-15T10:06:00Z', { event_id: 'p-1' }),
  event('tool_result', SESSION_B, '2024-01-15T10:07:00Z'),
];

const LEAKS = [/poison/i, /sqlite/i, /insert/i, /trigger/i, /constraint/i, /\bsessions\b/i, /select/i, /\n\s+at /];

async function seed(): Promise<string> {
  const { key } = await accountKey(t);
  await ingestOk(t, key, [
    event('session_start', SESSION_A, '2024-01-15T10:00:00Z'),
    event('tool_use', SESSION_A, '2024-01-15T10:01:00Z', { event_id: 'a-1' }),
  ]);
  return key;
}

describe('a batch that fails inside its transaction stores nothing', () => {
  it('POST /api/v1/events: 500 INTERNAL_ERROR with the request id and no SQL; no event of the batch stored; retry is safe', async () => {
    const key = await seed();
    const sessionsBefore = await allSessions(t, key);
    const rowsBefore = (await storedEventRows(t));
    await setPoison(true);

    const requestId = 'atomicity-check-1';
    const response = await t.post('/api/v1/events', { events: BATCH }, key, { 'x-request-id': requestId });
    const text = await response.text();
    expect(response.status).toBe(500);
    expect(response.headers.get('x-request-id')).toBe(requestId);
    const body = JSON.parse(text);
    expect(Object.keys(body)).toStrictEqual(['error']);
    expect(Object.keys(body.error).sort()).toStrictEqual(['code', 'message']);
    expect(body.error.code).toBe('INTERNAL_ERROR');
    expect(body.error.message).toContain(requestId);
    for (const leak of LEAKS) expect(text).not.toMatch(leak);

    // Nothing of the batch: not the events inserted before the failure, not the other sessions' rows.
    expect((await storedEventRows(t))).toBe(rowsBefore);
    expect(await allSessions(t, key)).toStrictEqual(sessionsBefore);

    // The failure was the server's; once it is gone, the same batch is stored whole, with no duplicates.
    await setPoison(false);
    expect(await ingestOk(t, key, BATCH)).toStrictEqual({ accepted: 4, rejected: 0, duplicates: 0, errors: [] });
    expect((await storedEventRows(t))).toBe(rowsBefore + 4);
    const { sessions } = await allSessions(t, key);
    expect(sessions).toStrictEqual([
      {
        id: SESSION_A, started_at: '2024-01-15T10:00:00Z', ended_at: '2024-01-15T11:00:00Z',
        duration_ms: 3_600_000, event_count: 3, tool_invocations: 1,
      },
      {
        id: SESSION_B, started_at: '2024-01-15T10:05:00Z', ended_at: '2024-01-15T10:07:00Z',
        duration_ms: 120_000, event_count: 2, tool_invocations: 1,
      },
      {
        id: POISON, started_at: '2024-01-15T10:06:00Z', ended_at: '2024-01-15T10:06:00Z',
        duration_ms: 0, event_count: 1, tool_invocations: 1,
      },
    ]);
  });

  it('the ingestEvents mutation: a masked error, and nothing of the batch stored', async () => {
    const key = await seed();
    const sessionsBefore = await allSessions(t, key);
    const rowsBefore = (await storedEventRows(t));
    await setPoison(true);

    const response = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', 'x-api-key': key },
      body: JSON.stringify({
        query: 'mutation($events: [EventInput!]!) { ingestEvents(events: $events) { accepted duplicates } }',
        variables: {
          events: BATCH.map((e) => ({
            eventType: e.event_type, sessionId: e.session_id, timestamp: e.timestamp,
            ...('data' in e ? { data: e.data } : {}), ...('event_id' in e ? { eventId: e.event_id } : {}),
          })),
        },
      }),
    });
    const text = await response.text();
    const body = JSON.parse(text);
    expect(body.data).toStrictEqual({ ingestEvents: null });
    expect(body.errors).toHaveLength(1);
    expect(body.errors[0].path).toStrictEqual(['ingestEvents']);
    for (const leak of LEAKS) expect(text).not.toMatch(leak);
    for (const code of ['VALIDATION_ERROR', 'UNAUTHENTICATED', 'FORBIDDEN']) {
      expect(body.errors[0].extensions?.code).not.toBe(code);
    }

    expect((await storedEventRows(t))).toBe(rowsBefore);
    expect(await allSessions(t, key)).toStrictEqual(sessionsBefore);
  });

  it('the gateway keeps serving after the failed transaction', async () => {
    const key = await seed();
    await setPoison(true);
    const failed = await t.post('/api/v1/events', { events: BATCH }, key);
    expect(failed.status).toBe(500);
    await failed.text();
    // Unrelated batches (no poisoned session) still go through while the trigger exists.
    expect(await ingestOk(t, key, [event('tool_use', SESSION_B, '2024-01-15T12:00:00Z')])).toMatchObject({
      accepted: 1, duplicates: 0,
    });
    expect((await allSessions(t, key)).sessions.map((s) => [s.id, s.event_count])).toStrictEqual([
      [SESSION_A, 2], [SESSION_B, 1],
    ]);
  });
});
