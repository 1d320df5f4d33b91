// docs/api.md#entry-points: GraphQL analytics { days }, the overview's sessions (those that started in the range, with
// all their events) by the UTC day each started on. Against the hand-computed data set of the analytics specs, at
// UTC midnight and the range's bounds, as a property (the days add up to the overview, one per active day), with
// sessions known from OTLP too, and under the scope and the rows limit.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatUtc } from '../src/time/iso-time.js';
import { loadAnalyticsDataset, NOW } from './support/analytics-dataset.js';
import { accountKey, ingestOk } from './support/ingest-support.js';
import { claudeCodeLogs, toJsonBody } from './support/otlp-payloads.js';
import { startTestGateway, type GraphQLBody, type TestGateway } from './support/test-gateway.js';

const DAY = 86_400_000;

interface Day {
  day: string;
  sessions: number;
  events: number;
  toolInvocations: number;
}

interface Overview {
  totalSessions: number;
  totalEvents: number;
  totalToolInvocations: number;
  activeDays: number;
}

const DAYS_QUERY = `query ($start: DateTime, $end: DateTime) {
  analytics(startDate: $start, endDate: $end) { days { day sessions events toolInvocations } }
}`;

const BOTH_QUERY = `query ($start: DateTime, $end: DateTime) {
  analytics(startDate: $start, endDate: $end) {
    overview { totalSessions totalEvents totalToolInvocations activeDays }
    days { day sessions events toolInvocations }
  }
}`;

const day = (d: string, sessions: number, events: number, toolInvocations: number): Day => ({ day: d, sessions, events, toolInvocations });

/** The days of the range as the key sees them, insisting on a plain answer. */
async function daysOf(t: TestGateway, key: string, start?: string, end?: string): Promise<Day[]> {
  const { status, body } = await t.graphql(DAYS_QUERY, { start, end }, key);
  expect(status, JSON.stringify(body)).toBe(200);
  expect(body.errors, JSON.stringify(body)).toBeUndefined();
  return body.data!['analytics'].days as Day[];
}

/** Overview and days of one range, read in one request (one clock reading). */
async function bothOf(t: TestGateway, key: string, start?: string, end?: string): Promise<{ overview: Overview; days: Day[] }> {
  const { status, body } = await t.graphql(BOTH_QUERY, { start, end }, key);
  expect(status, JSON.stringify(body)).toBe(200);
  expect(body.errors, JSON.stringify(body)).toBeUndefined();
  return body.data!['analytics'] as { overview: Overview; days: Day[] };
}

/** The invariants of docs/api.md: the days add up to the overview's totals, one per active day, ascending. */
function expectAddsUp({ overview, days }: { overview: Overview; days: Day[] }): void {
  const sum = (pick: (d: Day) => number) => days.reduce((s, d) => s + pick(d), 0);
  expect(sum((d) => d.sessions)).toBe(overview.totalSessions);
  expect(sum((d) => d.events)).toBe(overview.totalEvents);
  expect(sum((d) => d.toolInvocations)).toBe(overview.totalToolInvocations);
  expect(days).toHaveLength(overview.activeDays);
  expect(days.every((d) => d.sessions > 0)).toBe(true);
  const names = days.map((d) => d.day);
  expect(names).toEqual([...new Set(names)].sort());
}

describe('GraphQL analytics { days } over the analytics data set', () => {
  let t: TestGateway;
  let keys: Awaited<ReturnType<typeof loadAnalyticsDataset>>;
  beforeAll(async () => {
    t = await startTestGateway({ now: () => NOW });
    keys = await loadAnalyticsDataset(t);
  });
  afterAll(() => t.close());

  it('groups the sessions of the range by their UTC start day, with all their events, ascending', async () => {
    // S1 (12 events, 5 tool_use) and S2 (8, 4; every tool event on 03-02) start on 03-01; S3 (14, 5), S4 (2, 1),
    // S6 (2, 1; its tool_use two days after the range). S5 (1 ms early) and S7 (1 ms late) are out.
    expect(await daysOf(t, keys.acme, '2024-03-01', '2024-03-31')).toEqual([
      day('2024-03-01', 2, 20, 9),
      day('2024-03-03', 1, 14, 5),
      day('2024-03-05', 1, 2, 1),
      day('2024-03-31', 1, 2, 1),
    ]);
    expectAddsUp(await bothOf(t, keys.acme, '2024-03-01', '2024-03-31'));
  });

  it('takes the default range [now − 30 days, now], both ends inclusive', async () => {
    // S8 at the default start, S12, S10 at now; not S9 (1 ms early) nor S11 (1 ms late).
    const expected = [day('2024-04-15', 1, 2, 1), day('2024-04-20', 1, 4, 3), day('2024-05-15', 1, 1, 0)];
    expect(await daysOf(t, keys.acme)).toEqual(expected);
    expect(await daysOf(t, keys.acme, '2024-04-15T12:00:00Z', '2024-05-15T12:00:00Z')).toEqual(expected);
    expectAddsUp(await bothOf(t, keys.acme));
  });

  it('keeps a session that started 1 ms before UTC midnight on the day before, whatever the offset the range is written in', async () => {
    // [2024-02-29T23:00Z, 2024-03-01T00:00Z]: S5 (23:59:59.999) on 02-29, with its tool_uses of 03-01.
    expect(await daysOf(t, keys.acme, '2024-03-01T01:00:00+02:00', '2024-03-01T00:00:00Z')).toEqual([day('2024-02-29', 1, 3, 2)]);
    // S6 started exactly at the bound given as both start and end.
    expect(await daysOf(t, keys.acme, '2024-03-31', '2024-03-31')).toEqual([day('2024-03-31', 1, 2, 1)]);
    // Over 03-02 only: S2's events there do not bring it in.
    expect(await daysOf(t, keys.acme, '2024-03-02', '2024-03-02T23:59:59.999Z')).toEqual([]);
  });

  it('answers an empty range with an empty list, not an error', async () => {
    expect(await daysOf(t, keys.acme, '2024-05-16')).toEqual([]);
    expect(await daysOf(t, keys.acme, undefined, '2024-04-01')).toEqual([]);
    expect(await daysOf(t, keys.acme, '2023-01-01', '2023-12-31')).toEqual([]);
  });

  it("never counts another account's sessions, even under the same session ids on the same days", async () => {
    expect(await daysOf(t, keys.rival, '2024-03-01', '2024-03-31')).toEqual([day('2024-03-01', 1, 7, 5)]);
    expect(await daysOf(t, keys.rival)).toEqual([day('2024-04-20', 1, 4, 3)]);
    expectAddsUp(await bothOf(t, keys.rival, '2024-03-01', '2024-03-31'));
  });

  it('fails with UNAUTHENTICATED, FORBIDDEN and VALIDATION_ERROR as overview does', async () => {
    const cases: [string | null, Record<string, unknown>, string][] = [
      [null, {}, 'UNAUTHENTICATED'],
      [keys.writeOnly, {}, 'FORBIDDEN'],
      [keys.acme, { start: '2024-03-31', end: '2024-03-01' }, 'VALIDATION_ERROR'],
    ];
    for (const [key, variables, code] of cases) {
      const { body } = await t.graphql(DAYS_QUERY, variables, key);
      expect(body.data, code).toEqual({ analytics: null });
      expect(body.errors?.map((e) => [e.extensions?.['code'], e.path])).toEqual([[code, ['analytics']]]);
    }
  });
});

describe('GraphQL analytics { days } at UTC midnight', () => {
  let t: TestGateway;
  let key: string;
  beforeAll(async () => {
    t = await startTestGateway({ now: () => Date.parse('2024-06-01T00:00:00Z') });
    ({ key } = await accountKey(t));
    const starts = [
      '2024-03-09T23:59:59.999Z', // 03-09, 1 ms before midnight
      '2024-03-10T00:00:00.000Z', // 03-10, at midnight
      '2024-03-10T01:30:00+02:00', // 03-09T23:30Z: the offset moves it to the day before
      '2024-03-10T23:30:00-02:00', // 03-11T01:30Z: and to the day after
      '1969-12-31T23:59:59.999Z', // before 1970: floor division, not truncation
      '1970-01-01T00:00:00Z',
    ];
    // Each session: its start, and a tool_use 20 minutes later (across midnight for the first).
    await ingestOk(t, key, starts.flatMap((at, i) => {
      const id = `e0000000-0000-4000-8000-00000000000${i}`;
      return [
        { event_type: 'session_start', session_id: id, timestamp: at, event_id: `m-${i}-start` },
        { event_type: 'tool_use', session_id: id, timestamp: formatUtc(Date.parse(at) + 20 * 60_000), event_id: `m-${i}-use`, data: { tool_name: 'Read' } },
      ];
    }));
  });
  afterAll(() => t.close());

  it('puts each session on the UTC day of its start, on either side of midnight and of 1970', async () => {
    expect(await daysOf(t, key, '2024-03-01', '2024-03-31')).toEqual([
      day('2024-03-09', 2, 4, 2),
      day('2024-03-10', 1, 2, 1),
      day('2024-03-11', 1, 2, 1),
    ]);
    expect(await daysOf(t, key, '1969-12-01', '1970-01-02')).toEqual([day('1969-12-31', 1, 2, 1), day('1970-01-01', 1, 2, 1)]);
    expectAddsUp(await bothOf(t, key, '1969-12-01', '2024-03-31'));
  });

  it('cuts a day at the range bounds to the sessions within them', async () => {
    // Ending 1 ms before midnight keeps 03-09's sessions and drops 03-10's.
    expect(await daysOf(t, key, '2024-03-09', '2024-03-09T23:59:59.999Z')).toEqual([day('2024-03-09', 2, 4, 2)]);
    // Starting at 23:59:59.999 keeps one of 03-09's two, and 03-10's (at midnight exactly: the end bound is inclusive).
    expect(await daysOf(t, key, '2024-03-09T23:59:59.999Z', '2024-03-10T00:00:00Z')).toEqual([day('2024-03-09', 1, 2, 1), day('2024-03-10', 1, 2, 1)]);
    // Starting 1 ms after midnight leaves 03-10 without its session.
    expect(await daysOf(t, key, '2024-03-10T00:00:00.001Z', '2024-03-10T23:59:59.999Z')).toEqual([]);
  });
});

describe('GraphQL analytics { days } as a property', () => {
  const BASE = Date.UTC(2024, 6, 1);
  const SPAN_DAYS = 5;
  /** The default range [now − 30 days, now] ends within the window. */
  const NOW_P = BASE + 3 * DAY + DAY / 2;
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway({ now: () => NOW_P });
  });
  afterAll(() => t.close());

  /** Instants around the days of the window: at midnight, 1 ms before, anywhere. */
  const instant = fc.oneof(
    fc.integer({ min: 0, max: SPAN_DAYS }).map((d) => BASE + d * DAY),
    fc.integer({ min: 0, max: SPAN_DAYS }).map((d) => BASE + d * DAY - 1),
    fc.integer({ min: -DAY, max: (SPAN_DAYS + 1) * DAY }).map((ms) => BASE + ms),
  );
  /** A session: its start, whether a session_start marks it, and events after it (tool_use or not, perhaps on later days). */
  const session = fc.record({
    start: instant,
    marked: fc.boolean(),
    later: fc.array(fc.record({ afterMs: fc.integer({ min: 1, max: 2 * DAY }), tool: fc.boolean() }), { maxLength: 4 }),
  });
  const bound = fc.option(instant, { nil: null });

  it('adds up to the overview and matches the sessions grouped by start day, for any sessions and range', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(session, { maxLength: 12 }), bound, bound, async (sessions, a, b) => {
        run += 1;
        const [start, end] = a !== null && b !== null && a > b ? [b, a] : [a, b];
        const { key } = await accountKey(t);
        const events = sessions.flatMap((s, i) => {
          const id = `f0000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
          const first = s.marked
            ? { event_type: 'session_start', session_id: id, timestamp: formatUtc(s.start), event_id: `p${run}-${i}-start` }
            : { event_type: 'notification', session_id: id, timestamp: formatUtc(s.start), event_id: `p${run}-${i}-first` };
          return [first, ...s.later.map((e, j) => ({
            event_type: e.tool ? 'tool_use' : 'prompt_submit', session_id: id, timestamp: formatUtc(s.start + e.afterMs), event_id: `p${run}-${i}-${j}`,
          }))];
        });
        if (events.length > 0) await ingestOk(t, key, events);

        const startMs = start ?? NOW_P - 30 * DAY;
        const endMs = end ?? NOW_P;
        const expected = new Map<string, Day>();
        for (const s of sessions.filter((x) => x.start >= startMs && x.start <= endMs)) {
          const name = formatUtc(Math.floor(s.start / DAY) * DAY).slice(0, 10);
          const held = expected.get(name) ?? day(name, 0, 0, 0);
          expected.set(name, day(name, held.sessions + 1, held.events + 1 + s.later.length, held.toolInvocations + s.later.filter((e) => e.tool).length));
        }
        const answer = await bothOf(t, key, start === null ? undefined : formatUtc(start), end === null ? undefined : formatUtc(end));
        expect(answer.days).toEqual([...expected.values()].sort((x, y) => (x.day < y.day ? -1 : 1)));
        expectAddsUp(answer);
      }),
      { numRuns: 40, seed: 18_2 },
    );
  });
});

describe('GraphQL analytics { days } of sessions known from OTLP', () => {
  let t: TestGateway;
  let key: string;
  const BOTH = 'd1000000-0000-4000-8000-000000000001';
  const REPORTED = 'd1000000-0000-4000-8000-000000000002';
  beforeAll(async () => {
    t = await startTestGateway({ now: () => Date.parse('2026-03-10T00:00:00Z') });
    ({ key } = await accountKey(t));
    // Both sessions' OTLP exports begin on 03-01 just before midnight; BOTH also has hook events from 03-02.
    for (const [sessionId, seed] of [[BOTH, 3], [REPORTED, 4]] as const) {
      const body = toJsonBody(claudeCodeLogs({ sessionId, prompts: 2, seed, startMs: Date.parse('2026-03-01T23:59:00Z') }));
      const answer = await fetch(`${t.url}/v1/logs`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': key }, body: new Uint8Array(body) });
      expect(answer.status).toBe(200);
    }
    await ingestOk(t, key, [
      { event_type: 'session_start', session_id: BOTH, timestamp: '2026-03-02T00:00:10Z', event_id: 'o-start' },
      { event_type: 'tool_use', session_id: BOTH, timestamp: '2026-03-02T00:01:00Z', event_id: 'o-use', data: { tool_name: 'Read' } },
    ]);
  });
  afterAll(() => t.close());

  it('counts a session by its direct events when it has any, else its reported ones, as the overview and the session do', async () => {
    const answer = await bothOf(t, key, '2026-03-01', '2026-03-03');
    expectAddsUp(answer);
    const { body } = await t.graphql(`{ sessions(startDate: "2026-03-01", endDate: "2026-03-03") { nodes { id startedAt eventCount toolInvocations } } }`, {}, key);
    const nodes = (body as GraphQLBody).data!['sessions'].nodes as { id: string; startedAt: string; eventCount: number; toolInvocations: number }[];
    const both = nodes.find((n) => n.id === BOTH)!;
    const reported = nodes.find((n) => n.id === REPORTED)!;
    // BOTH shows its two hook events, from 03-02; REPORTED its export's, from 03-01.
    expect([both.startedAt, both.eventCount, both.toolInvocations]).toEqual(['2026-03-02T00:00:10Z', 2, 1]);
    expect(reported.startedAt.slice(0, 10)).toBe('2026-03-01');
    expect(reported.eventCount).toBeGreaterThan(2);
    expect(answer.days).toEqual([
      day('2026-03-01', 1, reported.eventCount, reported.toolInvocations),
      day('2026-03-02', 1, 2, 1),
    ]);
  });
});

describe('GraphQL analytics { days } under the response budget', () => {
  it('charges the sessions of its range before reading them: over the rows limit, nothing is read', async () => {
    const t = await startTestGateway({ now: () => NOW, env: { TRENCHCOAT_GRAPHQL_MAX_ROWS: '10' } });
    try {
      const keys = await loadAnalyticsDataset(t);
      // March's days hold 6 sessions (S7 too, on 03-31, though after the range): 6 rows, within 10.
      expect(await daysOf(t, keys.acme, '2024-03-01', '2024-03-31')).toHaveLength(4);
      const statements: string[] = [];
      const stop = t.gateway.database.onStatement((text) => {
        if (!/pg_notify/.test(text)) statements.push(text);
      });
      let answers: { status: number; body: GraphQLBody }[];
      try {
        answers = [
          // 6 for days and 2 × 6 for the overview.
          await t.graphql(BOTH_QUERY, { start: '2024-03-01', end: '2024-03-31' }, keys.acme),
          await t.graphql('{ analytics(startDate: "2024-03-01", endDate: "2024-03-31") { d0: days { day } d1: days { sessions } } }', {}, keys.acme),
        ];
      } finally {
        stop();
      }
      for (const { status, body } of answers) {
        expect(status, JSON.stringify(body)).toBe(422);
        expect(body.data ?? null).toBeNull();
        expect(body.errors?.map((e) => e.extensions?.['code'])).toEqual(['TOO_MANY_ROWS']);
      }
      expect(answers[1]!.body.errors![0]!.message).toMatch(
        /^The request would read more than 10 rows: analytics\.d1 \(Analytics\.days, about 6 sessions in its range, read by one statement\) reads about 6 besides the 6 counted before it\. Ask for a shorter date range/,
      );
      // Each range was estimated from session_days, and no session row was read.
      expect(statements.filter((s) => /session_days/.test(s)).length).toBeGreaterThan(0);
      expect(statements.filter((s) => /session_tools|from "sessions"/.test(s))).toEqual([]);
    } finally {
      await t.close();
    }
  });

  it('charges each day it answers, with its keys as spelled: too many days for the answer limit are refused whole', async () => {
    const t = await startTestGateway({ now: () => Date.parse('2024-06-01T00:00:00Z'), env: { TRENCHCOAT_GRAPHQL_MAX_RESPONSE_BYTES: '4096' } });
    try {
      const { key } = await accountKey(t);
      // One session on each of 60 days.
      await ingestOk(t, key, Array.from({ length: 60 }, (_, i) => ({
        event_type: 'session_start', session_id: `d2000000-0000-4000-8000-${String(i).padStart(12, '0')}`, timestamp: formatUtc(Date.UTC(2024, 0, 1) + i * DAY),
      })));
      expect(await daysOf(t, key, '2024-01-01', '2024-01-10')).toHaveLength(10);
      const { status, body } = await t.graphql('{ analytics(startDate: "2024-01-01", endDate: "2024-03-31") { days { day sessions events toolInvocations } } }', {}, key);
      expect(status, JSON.stringify(body)).toBe(422);
      expect(body.data ?? null).toBeNull();
      expect(body.errors?.map((e) => e.extensions?.['code'])).toEqual(['RESPONSE_TOO_LARGE']);
      expect(body.errors![0]!.message).toMatch(/^The answer would be larger than 4 KiB: analytics\.days \(Analytics\.days, 60 days\) adds about/);
    } finally {
      await t.close();
    }
  });
});
