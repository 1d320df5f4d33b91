// docs/api.md#sessions: ordering, paging, totals, response shape and time formatting of GET /api/v1/sessions.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { event, startTestGateway, type TestGateway } from './support/test-gateway.js';
import { ingestAll, unlimitedKey } from './support/rest-read-helpers.js';

const NOW = Date.parse('2024-03-01T12:00:00Z');

/** Few distinct instants, so that many sessions share a started_at. Ascending. */
const INSTANTS = [
  '2024-01-10T08:00:00Z',
  '2024-01-10T08:00:00.001Z',
  '2024-01-10T09:00:00Z',
  '2024-01-11T00:00:00Z',
  '2024-01-11T00:00:00.999Z',
  '2024-01-12T23:59:59Z',
];

/** A deterministic stream of hex digits (a small LCG), for ids that are not in ingestion order. */
function hexStream(seed: number) {
  let state = seed >>> 0;
  return (length: number) => {
    let out = '';
    for (let i = 0; i < length; i++) {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      out += (state >>> 28).toString(16);
    }
    return out;
  };
}

interface Planned {
  id: string;
  startedMs: number;
  events: ReturnType<typeof event>[];
}

function plan(): Planned[] {
  const hex = hexStream(20240110);
  const sessions: Planned[] = [];
  // Extremes: the largest id at the earliest instant, the smallest id one millisecond later.
  const extremes: [string, string][] = [
    ['ffffffff-ffff-4fff-bfff-ffffffffffff', INSTANTS[0]!],
    ['00000000-0000-4000-8000-000000000000', INSTANTS[1]!],
  ];
  for (const [id, at] of extremes) {
    sessions.push({ id, startedMs: Date.parse(at), events: [event('session_start', id, at)] });
  }
  for (let i = 0; i < 43; i++) {
    const id = `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`;
    const at = INSTANTS[i % INSTANTS.length]!;
    const startedMs = Date.parse(at);
    // Some are sent upper-case (stored lower-case), some have no session_start (started at their first event).
    const sentId = i % 5 === 0 ? id.toUpperCase() : id;
    const later = new Date(startedMs + 60_000 + i).toISOString();
    const events =
      i % 7 === 3
        ? [event('tool_use', sentId, at, { data: { tool_name: 'Read' } }), event('tool_result', sentId, later)]
        : [event('session_start', sentId, at), event('tool_use', sentId, later, { data: { tool_name: 'Bash' } })];
    sessions.push({ id, startedMs, events });
  }
  return sessions;
}

const PLANNED = plan();
const EXPECTED = [...PLANNED].sort((a, b) => a.startedMs - b.startedMs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

let t: TestGateway;
let key: string;

interface RestSession {
  id: string;
  started_at: string;
  ended_at: string | null;
  duration_ms: number | null;
  event_count: number;
  tool_invocations: number;
}
interface Page {
  sessions: RestSession[];
  total: number;
  limit: number;
  offset: number;
}

async function page(query: string, k = key): Promise<Page> {
  const response = await t.get(`/api/v1/sessions?${query}`, k);
  const body = await response.json();
  expect(response.status, JSON.stringify(body)).toBe(200);
  return (body as { data: Page }).data;
}

beforeAll(async () => {
  t = await startTestGateway({ now: () => NOW });
  key = await unlimitedKey(t);
  // Ingest in an order unrelated to the expected one, over several batches.
  const shuffled = [...PLANNED].reverse().flatMap((s, i) => (i % 2 === 0 ? s.events : [...s.events].reverse()));
  for (let i = 0; i < shuffled.length; i += 17) await ingestAll(t, key, shuffled.slice(i, i + 17));
});
afterAll(() => t.close());

describe('order', () => {
  it('is started_at ascending, then id ascending', async () => {
    const data = await page('limit=200');
    expect(data.total).toBe(PLANNED.length);
    expect(data.sessions.map((s) => s.id)).toEqual(EXPECTED.map((s) => s.id));
    expect(data.sessions.map((s) => Date.parse(s.started_at))).toEqual(EXPECTED.map((s) => s.startedMs));
  });

  it('orders sessions that share a started_at by id', async () => {
    for (const at of INSTANTS) {
      const data = await page(new URLSearchParams({ start_date: at, end_date: at, limit: '200' }).toString());
      const expected = PLANNED.filter((s) => s.startedMs === Date.parse(at)).map((s) => s.id).sort();
      expect(expected.length).toBeGreaterThan(1);
      expect(data.sessions.map((s) => s.id)).toEqual(expected);
      expect(data.total).toBe(expected.length);
    }
  });

  it('puts started_at before id: the largest id first when it started a millisecond earlier', async () => {
    const ids = (await page('limit=200')).sessions.map((s) => s.id);
    expect(ids.indexOf('ffffffff-ffff-4fff-bfff-ffffffffffff')).toBeLessThan(ids.indexOf('00000000-0000-4000-8000-000000000000'));
  });

  it('paging with offset += limit visits every session exactly once, for any limit and window', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 60 }),
        fc.option(fc.integer({ min: 0, max: INSTANTS.length - 1 }), { nil: undefined }),
        fc.option(fc.integer({ min: 0, max: INSTANTS.length - 1 }), { nil: undefined }),
        async (limit, startIndex, endIndex) => {
          const start = startIndex === undefined ? undefined : INSTANTS[startIndex]!;
          const end = endIndex === undefined || (startIndex !== undefined && endIndex < startIndex) ? undefined : INSTANTS[endIndex]!;
          const expected = EXPECTED.filter(
            (s) => (start === undefined || s.startedMs >= Date.parse(start)) && (end === undefined || s.startedMs <= Date.parse(end)),
          ).map((s) => s.id);
          const seen: string[] = [];
          for (let offset = 0; ; offset += limit) {
            const params = new URLSearchParams({ limit: String(limit), offset: String(offset) });
            if (start !== undefined) params.set('start_date', start);
            if (end !== undefined) params.set('end_date', end);
            const data = await page(params.toString());
            expect(data.total).toBe(expected.length);
            expect(data.limit).toBe(limit);
            expect(data.offset).toBe(offset);
            expect(data.sessions.length).toBe(Math.max(0, Math.min(limit, expected.length - offset)));
            if (data.sessions.length === 0) break;
            seen.push(...data.sessions.map((s) => s.id));
          }
          expect(seen).toEqual(expected);
          expect(new Set(seen).size).toBe(seen.length);
        },
      ),
      { numRuns: 40, seed: 31337 },
    );
  });
});

describe('total', () => {
  it('counts every matching session whatever the limit and offset', async () => {
    for (const query of ['limit=1', 'limit=1&offset=44', 'limit=200&offset=3', 'offset=45', 'offset=1000', 'limit=7&offset=40']) {
      expect((await page(query)).total, query).toBe(PLANNED.length);
    }
    const window = new URLSearchParams({ start_date: INSTANTS[2]!, end_date: INSTANTS[4]! });
    const inWindow = PLANNED.filter((s) => s.startedMs >= Date.parse(INSTANTS[2]!) && s.startedMs <= Date.parse(INSTANTS[4]!)).length;
    expect((await page(`${window}&limit=1`)).total).toBe(inWindow);
    expect((await page(`${window}&limit=2&offset=500`)).total).toBe(inWindow);
  });

  it('is 0 with an empty list when nothing matches', async () => {
    expect(await page('start_date=2025-01-01')).toEqual({ sessions: [], total: 0, limit: 50, offset: 0 });
  });
});

describe('shape', () => {
  it('the response has exactly data.{sessions,total,limit,offset} and sessions exactly the six fields', async () => {
    const response = await t.get('/api/v1/sessions?limit=3', key);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await response.json()) as Record<string, unknown>;
    expect(Object.keys(body)).toEqual(['data']);
    const data = body['data'] as Record<string, unknown>;
    expect(Object.keys(data).sort()).toEqual(['limit', 'offset', 'sessions', 'total']);
    const sessions = data['sessions'] as Record<string, unknown>[];
    expect(sessions).toHaveLength(3);
    for (const s of sessions) {
      expect(Object.keys(s).sort()).toEqual(['duration_ms', 'ended_at', 'event_count', 'id', 'started_at', 'tool_invocations']);
    }
  });

  it('ids come back lower-case even when sent upper-case', async () => {
    for (const s of (await page('limit=200')).sessions) expect(s.id).toBe(s.id.toLowerCase());
  });
});

describe('times and durations', () => {
  let fmtKey: string;
  const S = {
    wholeSecond: '10000000-0000-4000-8000-000000000001',
    millis: '10000000-0000-4000-8000-000000000002',
    offsets: '10000000-0000-4000-8000-000000000003',
    sixtyDays: '10000000-0000-4000-8000-000000000004',
    years: '10000000-0000-4000-8000-000000000005',
    open: '10000000-0000-4000-8000-000000000006',
  };

  beforeAll(async () => {
    fmtKey = await unlimitedKey(t, 'formats');
    await ingestAll(t, fmtKey, [
      event('session_start', S.wholeSecond, '2024-02-01T12:00:00.000Z'),
      event('session_end', S.wholeSecond, '2024-02-01T12:30:00.000000Z'),
      event('session_start', S.millis, '2024-02-01T12:00:00.123Z'),
      event('session_end', S.millis, '2024-02-01T13:00:00.5Z'),
      event('session_start', S.offsets, '2024-02-01T14:00:00.007+02:00'),
      event('session_end', S.offsets, '2024-02-01T09:00:00.0109-05:00'),
      event('session_start', S.sixtyDays, '2024-01-01T00:00:00Z'),
      event('session_end', S.sixtyDays, '2024-03-01T00:00:00Z'),
      event('session_start', S.years, '2000-01-01T00:00:00Z'),
      event('session_end', S.years, '2024-01-01T00:00:00Z'),
      event('session_start', S.open, '2024-03-01T11:00:00Z'),
      event('tool_use', S.open, '2024-03-01T11:30:00Z', { data: { tool_name: 'Read' } }),
    ]);
  });

  async function session(id: string): Promise<RestSession> {
    const found = (await page('limit=200', fmtKey)).sessions.find((s) => s.id === id);
    expect(found, id).toBeDefined();
    return found!;
  }

  it('writes whole seconds without a fraction', async () => {
    expect(await session(S.wholeSecond)).toEqual({
      id: S.wholeSecond, started_at: '2024-02-01T12:00:00Z', ended_at: '2024-02-01T12:30:00Z',
      duration_ms: 1_800_000, event_count: 2, tool_invocations: 0,
    });
  });

  it('writes .sss, always three digits, when the milliseconds are not zero', async () => {
    expect(await session(S.millis)).toEqual({
      id: S.millis, started_at: '2024-02-01T12:00:00.123Z', ended_at: '2024-02-01T13:00:00.500Z',
      duration_ms: 3_600_377, event_count: 2, tool_invocations: 0,
    });
  });

  it('writes inputs given with offsets in UTC, sub-millisecond digits truncated', async () => {
    expect(await session(S.offsets)).toEqual({
      id: S.offsets, started_at: '2024-02-01T12:00:00.007Z', ended_at: '2024-02-01T14:00:00.010Z',
      duration_ms: 7_200_003, event_count: 2, tool_invocations: 0,
    });
  });

  it('duration_ms can exceed 2^31 (and 2^32), written as a plain JSON integer', async () => {
    const response = await t.get('/api/v1/sessions?limit=200', fmtKey);
    const text = await response.text();
    expect(text).toContain(`"id":"${S.sixtyDays}","started_at":"2024-01-01T00:00:00Z","ended_at":"2024-03-01T00:00:00Z","duration_ms":5184000000,`);
    expect(text).toContain(`"duration_ms":757382400000,`);
    expect((await session(S.sixtyDays)).duration_ms).toBe(60 * 24 * 3600 * 1000);
    expect((await session(S.years)).duration_ms).toBe(Date.parse('2024-01-01T00:00:00Z') - Date.parse('2000-01-01T00:00:00Z'));
    expect((await session(S.years)).duration_ms).toBeGreaterThan(2 ** 32);
  });

  it('an open session has ended_at and duration_ms present and null', async () => {
    const open = await session(S.open);
    expect(open).toEqual({
      id: S.open, started_at: '2024-03-01T11:00:00Z', ended_at: null, duration_ms: null, event_count: 2, tool_invocations: 1,
    });
    const text = await (await t.get(`/api/v1/sessions?start_date=2024-03-01T11:00:00Z`, fmtKey)).text();
    expect(text).toContain(`"ended_at":null,"duration_ms":null,`);
  });
});
