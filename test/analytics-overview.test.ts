// docs/api.md#analytics: GET /api/v1/analytics/overview and GraphQL analytics { overview }, against the
// hand-computed figures of test/support/analytics-dataset.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_OVERVIEW, EMPTY_OVERVIEW, getJson, loadAnalyticsDataset, MARCH, MARCH_OVERVIEW, NOW,
} from './support/analytics-dataset.js';
import { expectErrorEnvelope } from './support/rest-read-helpers.js';
import { startTestGateway, type TestGateway } from './support/test-gateway.js';

const PATH = '/api/v1/analytics/overview';

let t: TestGateway;
let keys: Awaited<ReturnType<typeof loadAnalyticsDataset>>;

beforeAll(async () => {
  t = await startTestGateway({ now: () => NOW });
  keys = await loadAnalyticsDataset(t);
});
afterAll(() => t.close());

function overview(o: {
  sessions: number; events: number; invocations: number; days: number; top: [string, number][];
}) {
  return {
    data: {
      total_sessions: o.sessions,
      total_events: o.events,
      total_tool_invocations: o.invocations,
      active_days: o.days,
      top_tools: o.top.map(([name, invocation_count]) => ({ name, invocation_count })),
    },
  };
}

/** GET the overview and insist on 200 and exactly `expected`, keys in the contract's order. */
async function expectOverview(query: string, expected: unknown, key = keys.acme): Promise<void> {
  const { status, text } = await getJson(t, `${PATH}${query === '' ? '' : `?${query}`}`, key);
  expect(status, text).toBe(200);
  expect(text).toBe(JSON.stringify(expected));
}

describe('GET /api/v1/analytics/overview', () => {
  it('sums the sessions that started in the range, exactly these keys in this order', async () => {
    await expectOverview(MARCH, MARCH_OVERVIEW);
  });

  it('defaults to the 30 days before now, both ends inclusive', async () => {
    await expectOverview('', DEFAULT_OVERVIEW);
    // The same range spelled out.
    await expectOverview('start_date=2024-04-15T12:00:00Z&end_date=2024-05-15T12:00:00Z', DEFAULT_OVERVIEW);
  });

  it('takes the default for the bound not given', async () => {
    // [2024-04-20, now]: S12 and S10.
    await expectOverview('start_date=2024-04-20', overview({ sessions: 2, events: 5, invocations: 3, days: 2, top: [['Read', 2], ['Task', 1]] }));
    // [now - 30 days, 2024-04-20T00:00:00Z]: S8 only.
    await expectOverview('end_date=2024-04-20', overview({ sessions: 1, events: 2, invocations: 1, days: 1, top: [['Task', 1]] }));
  });

  it('answers an empty range with zeros and an empty list, not an error', async () => {
    // start after the default end (now).
    await expectOverview('start_date=2024-05-16', EMPTY_OVERVIEW);
    await expectOverview('start_date=2024-05-15T12:00:00.001Z', EMPTY_OVERVIEW);
    // end before the default start (now - 30 days), although March has sessions.
    await expectOverview('end_date=2024-04-01', EMPTY_OVERVIEW);
    // a valid range without sessions.
    await expectOverview('start_date=2023-01-01&end_date=2023-12-31', EMPTY_OVERVIEW);
  });

  it('keeps a session that started exactly at a bound given as both start and end', async () => {
    await expectOverview('start_date=2024-03-31&end_date=2024-03-31', overview({ sessions: 1, events: 2, invocations: 1, days: 1, top: [['Read', 1]] }));
  });

  it('counts a session that crosses midnight UTC on its start day, with all its events', async () => {
    // S2 starts 2024-03-01T23:30Z; every one of its tool events is on 03-02.
    await expectOverview(
      'start_date=2024-03-01T23:00:00Z&end_date=2024-03-01T23:59:59Z',
      overview({ sessions: 1, events: 8, invocations: 4, days: 1, top: [['Bash', 1], ['Edit', 1]] }),
    );
    // A range over 03-02 only holds no session: S2's events there do not bring it in.
    await expectOverview('start_date=2024-03-02&end_date=2024-03-03', EMPTY_OVERVIEW);
  });

  it('converts offsets to UTC, and a session starting 1 ms before a bound is out', async () => {
    // 2024-03-01T01:00:00+02:00 is 2024-02-29T23:00:00Z: S5 (23:59:59.999) is in, S1 (03-01T10:00) out.
    await expectOverview(
      'start_date=2024-03-01T01:00:00%2B02:00&end_date=2024-03-01T00:00:00Z',
      overview({ sessions: 1, events: 3, invocations: 2, days: 1, top: [['Read', 1], ['Zeta', 1]] }),
    );
  });

  it("never counts another account's sessions, even under the same session id", async () => {
    await expectOverview(MARCH, overview({ sessions: 1, events: 7, invocations: 5, days: 1, top: [['Read', 4], ['Secret', 1]] }), keys.rival);
    await expectOverview('', overview({ sessions: 1, events: 4, invocations: 3, days: 1, top: [['Secret', 3]] }), keys.rival);
  });

  it('counts active days on UTC calendar days, before 1970 too', async () => {
    const tz = await t.key({ account: 'tz', scopes: ['read:analytics', 'write:events'], tier: 'unlimited' });
    const starts = [
      '2024-03-01T23:30:00-02:00', // 03-02T01:30Z
      '2024-03-02T00:30:00+02:00', // 03-01T22:30Z
      '2024-03-02T10:00:00Z', // 03-02 again
      '1969-12-31T23:59:59.999Z',
      '1970-01-01T00:00:00Z',
      '1969-12-30T00:00:00Z',
    ];
    const response = await t.post('/api/v1/events', {
      events: starts.map((timestamp, i) => ({
        event_type: 'session_start', session_id: `b0000000-0000-4000-8000-00000000000${i}`, timestamp,
      })),
    }, tz);
    expect(response.status).toBe(200);
    await expectOverview('start_date=2024-03-01&end_date=2024-03-03', overview({ sessions: 3, events: 3, invocations: 0, days: 2, top: [] }), tz);
    await expectOverview('start_date=1969-12-01&end_date=1970-01-02', overview({ sessions: 3, events: 3, invocations: 0, days: 3, top: [] }), tz);
  });
});

describe('GET /api/v1/analytics/overview parameters', () => {
  async function rejected(query: string, fields: string[]) {
    const { status, body } = await getJson(t, `${PATH}?${query}`, keys.acme);
    expect(status, `${query} → ${JSON.stringify(body)}`).toBe(400);
    expectErrorEnvelope(body, 'VALIDATION_ERROR', fields);
    return body;
  }

  it('rejects start_date later than end_date, with the body the sessions endpoint gives', async () => {
    const query = 'start_date=2024-03-31&end_date=2024-03-01';
    const body = await rejected(query, ['start_date']);
    const sessions = await getJson(t, `/api/v1/sessions?${query}`, keys.acme);
    expect(sessions.status).toBe(400);
    expect(body).toEqual(sessions.body);
  });

  it('rejects malformed, impossible and repeated dates, naming each field', async () => {
    await rejected('start_date=2024-02-30', ['start_date']);
    await rejected('end_date=2024-03-01T25:00:00Z', ['end_date']);
    await rejected('start_date=yesterday&end_date=2024-13-01', ['start_date', 'end_date']);
    await rejected('start_date=2024-03-01&start_date=2024-03-02', ['start_date']);
    const bad = await getJson(t, `${PATH}?start_date=2024-02-30`, keys.acme);
    const sessions = await getJson(t, '/api/v1/sessions?start_date=2024-02-30', keys.acme);
    expect(bad.body).toEqual(sessions.body);
  });

  it('ignores unknown parameters', async () => {
    await expectOverview(`${MARCH}&limit=abc&foo=1`, MARCH_OVERVIEW);
  });
});

describe('GET /api/v1/analytics/overview authorization', () => {
  it('answers 401 without a valid key, before looking at parameters', async () => {
    for (const key of [null, 'ct_live_00000000000000000000000000000000', 'nonsense']) {
      const { status, body } = await getJson(t, `${PATH}?start_date=2024-02-30`, key);
      expect(status).toBe(401);
      expect(body).toEqual({ error: { code: 'UNAUTHORIZED', message: 'Missing or invalid API key.' } });
    }
  });

  it('answers 403 to a key without read:analytics', async () => {
    const { status, body } = await getJson(t, PATH, keys.writeOnly);
    expect(status).toBe(403);
    expect(body).toEqual({ error: { code: 'FORBIDDEN', message: 'This API key does not have the required scope: read:analytics' } });
  });

  it('answers 405 to POST, with Allow', async () => {
    const response = await t.post(PATH, {}, keys.acme);
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, HEAD');
    expectErrorEnvelope(await response.json(), 'METHOD_NOT_ALLOWED');
  });
});

const OVERVIEW_QUERY = `query ($start: DateTime, $end: DateTime) {
  analytics(startDate: $start, endDate: $end) {
    overview { totalSessions totalEvents totalToolInvocations activeDays topTools { name invocationCount } }
  }
}`;

/** REST's body spelled as GraphQL answers it. */
function asGraphQL(rest: ReturnType<typeof overview> | typeof MARCH_OVERVIEW) {
  const d = rest.data;
  return {
    data: {
      analytics: {
        overview: {
          totalSessions: d.total_sessions,
          totalEvents: d.total_events,
          totalToolInvocations: d.total_tool_invocations,
          activeDays: d.active_days,
          topTools: d.top_tools.map((x) => ({ name: x.name, invocationCount: x.invocation_count })),
        },
      },
    },
  };
}

describe('GraphQL analytics { overview }', () => {
  it('gives the same figures as REST, for a range, the defaults and an empty range', async () => {
    const march = await t.graphql(OVERVIEW_QUERY, { start: '2024-03-01', end: '2024-03-31' }, keys.acme);
    expect(march.body).toEqual(asGraphQL(MARCH_OVERVIEW));
    const defaults = await t.graphql(OVERVIEW_QUERY, {}, keys.acme);
    expect(defaults.body).toEqual(asGraphQL(DEFAULT_OVERVIEW));
    const empty = await t.graphql(OVERVIEW_QUERY, { start: '2024-05-16' }, keys.acme);
    expect(empty.body).toEqual(asGraphQL(EMPTY_OVERVIEW));
    const rival = await t.graphql(OVERVIEW_QUERY, { start: '2024-03-01', end: '2024-03-31' }, keys.rival);
    expect(rival.body).toEqual(asGraphQL(overview({ sessions: 1, events: 7, invocations: 5, days: 1, top: [['Read', 4], ['Secret', 1]] })));
  });

  it('fails with UNAUTHENTICATED, FORBIDDEN and VALIDATION_ERROR as the sessions field does', async () => {
    const cases: [string | null, Record<string, unknown>, string][] = [
      [null, {}, 'UNAUTHENTICATED'],
      [keys.writeOnly, {}, 'FORBIDDEN'],
      [keys.acme, { start: '2024-03-31', end: '2024-03-01' }, 'VALIDATION_ERROR'],
    ];
    for (const [key, variables, code] of cases) {
      const { body } = await t.graphql(OVERVIEW_QUERY, variables, key);
      expect(body.data, code).toEqual({ analytics: null });
      expect(body.errors?.map((e) => [e.extensions?.['code'], e.path])).toEqual([[code, ['analytics']]]);
    }
  });
});
