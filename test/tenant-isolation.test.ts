// One account never sees another's data (the same session id in two accounts is two sessions).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { event, SESSION_A, SESSION_B, startTestGateway, type TestGateway } from './support/test-gateway.js';
import { unlimitedKey, uuidFor } from './support/rest-read-helpers.js';

// Within 24 h of globex's last event, so its copy of SESSION_A is still open.
const NOW = Date.parse('2024-01-16T10:00:00Z');
const GLOBEX_ONLY = [uuidFor(77), uuidFor(78)];

let t: TestGateway;
let acme: string;
let globex: string;

const ACME_A = {
  id: SESSION_A, started_at: '2024-01-15T10:30:00Z', ended_at: '2024-01-15T11:45:23Z',
  duration_ms: 4_523_000, event_count: 5, tool_invocations: 3,
};
const ACME_B = {
  id: SESSION_B, started_at: '2024-01-17T08:00:00Z', ended_at: null, duration_ms: null, event_count: 1, tool_invocations: 0,
};
const GLOBEX_A = {
  id: SESSION_A, started_at: '2024-01-16T09:00:00Z', ended_at: null, duration_ms: null, event_count: 2, tool_invocations: 1,
};

beforeAll(async () => {
  t = await startTestGateway({ now: () => NOW });
  acme = await unlimitedKey(t, 'acme');
  globex = await unlimitedKey(t, 'globex');
  const send = async (key: string, events: unknown[]) => {
    const response = await t.post('/api/v1/events', { events }, key);
    expect(response.status).toBe(200);
    return ((await response.json()) as { data: unknown }).data;
  };
  expect(
    await send(acme, [
      event('session_start', SESSION_A, '2024-01-15T10:30:00Z'),
      event('tool_use', SESSION_A, '2024-01-15T10:31:00Z', { event_id: 'evt-1', data: { tool_name: 'Read' } }),
      event('tool_use', SESSION_A, '2024-01-15T10:32:00Z', { event_id: 'evt-2', data: { tool_name: 'Edit' } }),
      event('tool_use', SESSION_A, '2024-01-15T10:33:00Z', { event_id: 'evt-3', data: { tool_name: 'Bash' } }),
      event('session_end', SESSION_A, '2024-01-15T11:45:23Z'),
      event('session_start', SESSION_B, '2024-01-17T08:00:00Z'),
    ]),
  ).toEqual({ accepted: 6, rejected: 0, duplicates: 0, errors: [] });
  // The same session id, the same event_id, even an identical event: new to globex, so stored, not duplicates.
  expect(
    await send(globex, [
      event('session_start', SESSION_A.toUpperCase(), '2024-01-16T09:00:00Z'),
      event('tool_use', SESSION_A, '2024-01-16T09:01:00Z', { event_id: 'evt-1', data: { tool_name: 'Read' } }),
      event('session_start', GLOBEX_ONLY[0]!, '2024-01-10T00:00:00Z'),
      event('session_start', GLOBEX_ONLY[1]!, '2024-01-15T10:30:00Z'),
    ]),
  ).toEqual({ accepted: 4, rejected: 0, duplicates: 0, errors: [] });
});
afterAll(() => t.close());

async function restPage(key: string, query = '') {
  const response = await t.get(`/api/v1/sessions${query}`, key);
  expect(response.status).toBe(200);
  return ((await response.json()) as { data: { sessions: Record<string, unknown>[]; total: number } }).data;
}

describe('REST', () => {
  it('each key sees only its own sessions, with its own counts and total', async () => {
    expect(await restPage(acme)).toEqual({ sessions: [ACME_A, ACME_B], total: 2, limit: 50, offset: 0 });
    const globexPage = await restPage(globex);
    expect(globexPage.total).toBe(3);
    expect(globexPage.sessions.map((s) => s['id'])).toEqual([GLOBEX_ONLY[0], GLOBEX_ONLY[1], SESSION_A]);
    expect(globexPage.sessions[2]).toEqual(GLOBEX_A);
  });

  it('filters and totals stay within the account', async () => {
    expect(await restPage(acme, '?start_date=2024-01-16')).toEqual({ sessions: [ACME_B], total: 1, limit: 50, offset: 0 });
    const globexFrom16 = await restPage(globex, '?start_date=2024-01-16');
    expect(globexFrom16).toEqual({ sessions: [GLOBEX_A], total: 1, limit: 50, offset: 0 });
    // Both accounts have a session starting at exactly 2024-01-15T10:30:00Z; each sees one.
    const instant = '?start_date=2024-01-15T10:30:00Z&end_date=2024-01-15T10:30:00Z';
    expect((await restPage(acme, instant)).sessions.map((s) => s['id'])).toEqual([SESSION_A]);
    expect((await restPage(globex, instant)).sessions.map((s) => s['id'])).toEqual([GLOBEX_ONLY[1]]);
    expect((await restPage(acme, '?offset=2')).total).toBe(2);
  });

  it('another key of the same account sees the same sessions', async () => {
    const second = await unlimitedKey(t, 'acme', ['read:analytics']);
    expect(await restPage(second)).toEqual(await restPage(acme));
  });
});

describe('GraphQL', () => {
  const SESSION_FIELDS = 'id startedAt endedAt durationMs eventCount toolInvocations';

  it('sessions lists only the caller account', async () => {
    const query = `{ sessions { total nodes { id eventCount toolInvocations } } }`;
    expect(await t.graphql(query, {}, acme)).toEqual({
      status: 200,
      body: { data: { sessions: { total: 2, nodes: [
        { id: SESSION_A, eventCount: 5, toolInvocations: 3 },
        { id: SESSION_B, eventCount: 1, toolInvocations: 0 },
      ] } } },
    });
    expect(await t.graphql(query, {}, globex)).toEqual({
      status: 200,
      body: { data: { sessions: { total: 3, nodes: [
        { id: GLOBEX_ONLY[0], eventCount: 1, toolInvocations: 0 },
        { id: GLOBEX_ONLY[1], eventCount: 1, toolInvocations: 0 },
        { id: SESSION_A, eventCount: 2, toolInvocations: 1 },
      ] } } },
    });
  });

  it('session(id) gives each account its own copy of a shared id', async () => {
    const query = `query One($id: ID!) { session(id: $id) { ${SESSION_FIELDS} } }`;
    expect((await t.graphql(query, { id: SESSION_A }, acme)).body).toEqual({
      data: { session: { id: SESSION_A, startedAt: '2024-01-15T10:30:00Z', endedAt: '2024-01-15T11:45:23Z', durationMs: 4_523_000, eventCount: 5, toolInvocations: 3 } },
    });
    expect((await t.graphql(query, { id: SESSION_A }, globex)).body).toEqual({
      data: { session: { id: SESSION_A, startedAt: '2024-01-16T09:00:00Z', endedAt: null, durationMs: null, eventCount: 2, toolInvocations: 1 } },
    });
  });

  it("session(id) is null for another account's session id, however it is spelled", async () => {
    const query = `query One($id: ID!) { session(id: $id) { id } }`;
    for (const id of [GLOBEX_ONLY[0]!, GLOBEX_ONLY[1]!, GLOBEX_ONLY[0]!.toUpperCase()]) {
      expect(await t.graphql(query, { id }, acme)).toEqual({ status: 200, body: { data: { session: null } } });
      expect((await t.graphql(query, { id }, globex)).body).toEqual({ data: { session: { id: id.toLowerCase() } } });
    }
    expect(await t.graphql(query, { id: SESSION_B }, globex)).toEqual({ status: 200, body: { data: { session: null } } });
  });
});
