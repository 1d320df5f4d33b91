// The published API page's example exchange (test/fixtures/api/sessions-example.json) comes back byte for byte.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { event, startTestGateway, type TestGateway } from './support/test-gateway.js';
import { ingestAll, unlimitedKey, uuidFor } from './support/rest-read-helpers.js';

const EXAMPLE = new URL('./fixtures/api/sessions-example.json', import.meta.url);

interface SeedSession {
  id: string;
  started_at: string;
  ended_at: string;
  duration_ms: number;
  event_count: number;
  tool_invocations: number;
}

/** The example response and the example request paths. */
function readSeed() {
  const example = JSON.parse(readFileSync(EXAMPLE, 'utf8')) as {
    requests: string[];
    keyHeader: string;
    response: { data: { sessions: SeedSession[]; total: number; limit: number; offset: number } };
  };
  return { response: example.response, paths: example.requests, keyHeader: example.keyHeader };
}

const SEED = readSeed();
const [FIRST, SECOND] = SEED.response.data.sessions as [SeedSession, SeedSession];

/**
 * Events whose fold is exactly `s`: one session_start at started_at, one session_end at ended_at,
 * tool_invocations tool_use events and the rest tool_result events strictly between them.
 */
function eventsFor(s: SeedSession) {
  const start = Date.parse(s.started_at);
  const end = Date.parse(s.ended_at);
  const middle = s.event_count - 2;
  const events = [event('session_start', s.id, s.started_at), event('session_end', s.id, s.ended_at)];
  for (let i = 0; i < middle; i++) {
    const at = new Date(start + Math.floor(((i + 1) * (end - start)) / (middle + 1))).toISOString();
    const type = i < s.tool_invocations ? 'tool_use' : 'tool_result';
    events.push(event(type, s.id, at, { event_id: `${s.id}-${i}`, data: { tool_name: 'Read', n: i } }));
  }
  return events;
}

/** 310 more sessions later in January 2024; the last one at exactly 2024-01-31T00:00:00Z (kept by end_date=2024-01-31). */
function laterSessions() {
  const after = Date.parse(SECOND.started_at);
  const events = [];
  for (let i = 0; i < 309; i++) {
    const at = new Date(after + (i + 1) * 3_600_000).toISOString();
    events.push(event('session_start', uuidFor(10_000 + i), at), event('session_end', uuidFor(10_000 + i), new Date(Date.parse(at) + 60_000).toISOString()));
  }
  events.push(event('session_start', uuidFor(20_000), '2024-01-31T00:00:00Z'));
  return events;
}

/** Sessions just outside the range, which the filter must leave out of the page and the total. */
const OUTSIDE = [
  event('session_start', uuidFor(1), '2023-12-31T23:59:59.999Z'),
  event('session_start', uuidFor(2), '2024-01-31T00:00:00.001Z'),
  event('session_start', uuidFor(3), '2024-01-31T12:00:00Z'),
];

let t: TestGateway;
let key: string;

beforeAll(async () => {
  t = await startTestGateway({ now: () => Date.parse('2024-02-15T00:00:00Z') });
  key = await unlimitedKey(t);
  // Another account with the same ids must not leak into the counts.
  const other = await unlimitedKey(t, 'other-account');
  await ingestAll(t, other, eventsFor(FIRST));
  await ingestAll(t, key, [...laterSessions(), ...OUTSIDE].reverse());
  await ingestAll(t, key, [...eventsFor(SECOND), ...eventsFor(FIRST)]);
});
afterAll(() => t.close());

describe('the seed example', () => {
  it('is read from the example fixture as expected', () => {
    expect(SEED.response.data.sessions).toHaveLength(2);
    expect(SEED.response.data).toMatchObject({ total: 312, limit: 50, offset: 0 });
    expect(SEED.paths[0]).toBe('/api/v1/sessions?start_date=2024-01-01&end_date=2024-01-31&limit=50');
    expect(SEED.keyHeader).toBe('X-API-Key');
    for (const s of [FIRST, SECOND]) {
      expect(Date.parse(s.ended_at) - Date.parse(s.started_at)).toBe(s.duration_ms);
    }
  });

  it('GET of the example request gives the example page, the first two sessions byte for byte', async () => {
    const response = await t.get(SEED.paths[0]!, null, { [SEED.keyHeader!]: key });
    expect(response.status).toBe(200);
    const text = await response.text();
    const firstTwo = SEED.response.data.sessions.map((s) => JSON.stringify(s)).join(',');
    expect(text.startsWith(`{"data":{"sessions":[${firstTwo},{`)).toBe(true);
    const { total, limit, offset } = SEED.response.data;
    expect(text.endsWith(`}],"total":${total},"limit":${limit},"offset":${offset}}}`)).toBe(true);
    const body = JSON.parse(text) as { data: { sessions: SeedSession[] } };
    expect(body.data.sessions).toHaveLength(50);
    expect(body.data.sessions.slice(0, 2)).toStrictEqual(SEED.response.data.sessions);
  });

  it('the next page of the seed (offset += limit) continues where the first stopped', async () => {
    const [, next] = SEED.paths;
    expect(next).toBe('/api/v1/sessions?limit=50&offset=50');
    const ranged = (q: string) => t.get(`/api/v1/sessions?start_date=2024-01-01&end_date=2024-01-31&${q}`, key);
    const first = (await (await ranged('limit=50')).json()) as { data: { sessions: { id: string }[] } };
    const second = (await (await ranged('limit=50&offset=50')).json()) as { data: { sessions: { id: string }[]; offset: number; total: number } };
    expect(second.data.offset).toBe(50);
    expect(second.data.total).toBe(312);
    const ids = [...first.data.sessions, ...second.data.sessions].map((s) => s.id);
    expect(new Set(ids).size).toBe(100);
    // The seed's own next-page request has no date filter: it sees the sessions outside January too.
    const unfiltered = (await (await t.get(next!, key)).json()) as { data: { total: number; limit: number; offset: number; sessions: unknown[] } };
    expect(unfiltered.data).toMatchObject({ total: 312 + OUTSIDE.length, limit: 50, offset: 50 });
    expect(unfiltered.data.sessions).toHaveLength(50);
  });
});
