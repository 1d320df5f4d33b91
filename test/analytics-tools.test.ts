// docs/api.md#analytics: GET /api/v1/analytics/tools and GraphQL analytics { tools(limit) }, against the
// hand-computed figures of test/support/analytics-dataset.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getJson, loadAnalyticsDataset, MARCH, MARCH_TOOLS, NOW } from './support/analytics-dataset.js';
import { expectErrorEnvelope } from './support/rest-read-helpers.js';
import { startTestGateway, type TestGateway } from './support/test-gateway.js';

const PATH = '/api/v1/analytics/tools';

let t: TestGateway;
let keys: Awaited<ReturnType<typeof loadAnalyticsDataset>>;
/** An account whose one session (in the default range) used 55 tools once each: T00 … T54. */
let many: string;
const MANY = Array.from({ length: 55 }, (_, i) => `T${String(i).padStart(2, '0')}`);

beforeAll(async () => {
  t = await startTestGateway({ now: () => NOW });
  keys = await loadAnalyticsDataset(t);
  many = await t.key({ account: 'many', scopes: ['read:analytics', 'write:events'], tier: 'unlimited' });
  const session = 'c0000000-0000-4000-8000-000000000001';
  // Listed in reverse, so that name order is not storage order.
  const events = [...MANY].reverse().map((tool, i) => ({
    event_type: 'tool_use', session_id: session, timestamp: `2024-05-01T10:${String(i).padStart(2, '0')}:00Z`,
    data: { tool_name: tool, duration_ms: 5 },
  }));
  const response = await t.post('/api/v1/events', { events }, many);
  expect(response.status).toBe(200);
});
afterAll(() => t.close());

type Tool = (typeof MARCH_TOOLS)[number];

/** GET the tools and insist on 200 and exactly `{"data": {"tools": expected}}`, keys in order. */
async function expectTools(query: string, expected: readonly Tool[], key = keys.acme): Promise<void> {
  const { status, text } = await getJson(t, `${PATH}${query === '' ? '' : `?${query}`}`, key);
  expect(status, text).toBe(200);
  expect(text).toBe(JSON.stringify({ data: { tools: expected } }));
}

async function names(query: string, key: string): Promise<string[]> {
  const { status, body } = await getJson(t, `${PATH}?${query}`, key);
  expect(status, JSON.stringify(body)).toBe(200);
  return (body.data.tools as Tool[]).map((x) => x.name);
}

describe('GET /api/v1/analytics/tools', () => {
  it('reports each invoked tool with its count, mean duration and error rate, exactly these keys', async () => {
    await expectTools(MARCH, MARCH_TOOLS);
  });

  it('writes error rates as plain unrounded numbers', async () => {
    const { text } = await getJson(t, `${PATH}?${MARCH}`, keys.acme);
    expect(text).toContain('{"name":"Bash","invocation_count":3,"avg_duration_ms":11,"error_rate":0.3333333333333333}');
    expect(text).toContain('{"name":"Flaky","invocation_count":1,"avg_duration_ms":6,"error_rate":1}');
    expect(text).toContain('{"name":"Glob","invocation_count":1,"avg_duration_ms":null,"error_rate":0}');
  });

  it('cuts ties by name at the limit', async () => {
    await expectTools(`${MARCH}&limit=1`, MARCH_TOOLS.slice(0, 1));
    await expectTools(`${MARCH}&limit=2`, MARCH_TOOLS.slice(0, 2)); // Bash, not Edit
    await expectTools(`${MARCH}&limit=5`, MARCH_TOOLS.slice(0, 5)); // Flaky, Glob of four at 1
    await expectTools(`${MARCH}&limit=05`, MARCH_TOOLS.slice(0, 5));
  });

  it('defaults limit to 10 and applies anything above 50 as 50', async () => {
    expect(await names('', many)).toEqual(MANY.slice(0, 10));
    expect(await names('limit=50', many)).toEqual(MANY.slice(0, 50));
    expect(await names('limit=51', many)).toEqual(MANY.slice(0, 50));
    expect(await names(`limit=${'9'.repeat(30)}`, many)).toEqual(MANY.slice(0, 50));
    expect(await names('limit=55', many)).toHaveLength(50);
  });

  it('counts every event of the sessions that started in the range, and only those', async () => {
    // [2024-03-31T00:00:00Z, same]: S6, whose tool_use lies two days after the range.
    await expectTools('start_date=2024-03-31&end_date=2024-03-31', [
      { name: 'Read', invocation_count: 1, avg_duration_ms: null, error_rate: 0 },
    ]);
    // S2 crosses midnight: its tools count on the range holding its start.
    await expectTools('start_date=2024-03-01T23:00:00Z&end_date=2024-03-01T23:59:59Z', [
      { name: 'Bash', invocation_count: 1, avg_duration_ms: null, error_rate: 0 },
      { name: 'Edit', invocation_count: 1, avg_duration_ms: null, error_rate: 0 },
    ]);
    // Default range [now - 30 days, now]: S8 and S12; not S9 (1 ms early) nor S11 (1 ms late).
    await expectTools('', [
      { name: 'Read', invocation_count: 2, avg_duration_ms: null, error_rate: 0 },
      { name: 'Task', invocation_count: 2, avg_duration_ms: null, error_rate: 0 },
    ]);
  });

  it('answers an empty range with an empty list, not an error', async () => {
    await expectTools('start_date=2024-05-16', []);
    await expectTools('end_date=2024-04-01', []);
    await expectTools('start_date=2023-01-01&end_date=2023-12-31', []);
    await expectTools('start_date=2024-03-02&end_date=2024-03-03', []);
  });

  it("never counts another account's tools, even under the same session id", async () => {
    await expectTools(MARCH, [
      { name: 'Read', invocation_count: 4, avg_duration_ms: 9999, error_rate: 0.25 },
      { name: 'Secret', invocation_count: 1, avg_duration_ms: null, error_rate: 0 },
    ], keys.rival);
  });

  it('folds a tool result counted once however often it is delivered', async () => {
    const key = await t.key({ account: 'redelivery', scopes: ['read:analytics', 'write:events'], tier: 'unlimited' });
    const session = 'd0000000-0000-4000-8000-000000000001';
    const batch = [
      { event_type: 'tool_use', session_id: session, timestamp: '2024-05-01T10:00:00Z', data: { tool_name: 'Read' }, event_id: 'u1' },
      { event_type: 'tool_result', session_id: session, timestamp: '2024-05-01T10:00:01Z', data: { tool_name: 'Read', duration_ms: 10, is_error: true }, event_id: 'r1' },
      { event_type: 'tool_result', session_id: session, timestamp: '2024-05-01T10:00:02Z', data: { tool_name: 'Read', duration_ms: 13 } },
    ];
    for (let i = 0; i < 3; i++) {
      const response = await t.post('/api/v1/events', { events: [...batch, ...batch] }, key);
      expect(response.status).toBe(200);
    }
    // (10 + 13) / 2 = 11.5 → 12; 1 error / 1 invocation.
    await expectTools('', [{ name: 'Read', invocation_count: 1, avg_duration_ms: 12, error_rate: 1 }], key);
  });
});

describe('GET /api/v1/analytics/tools parameters', () => {
  async function rejected(query: string, fields: string[]) {
    const { status, body } = await getJson(t, `${PATH}?${query}`, keys.acme);
    expect(status, `${query} → ${JSON.stringify(body)}`).toBe(400);
    expectErrorEnvelope(body, 'VALIDATION_ERROR', fields);
  }

  it('rejects a limit below 1 or not a plain integer', async () => {
    for (const limit of ['0', '-1', '1.5', 'abc', '+5', '1e2', '0x10', '', ' 5']) {
      await rejected(`limit=${encodeURIComponent(limit)}`, ['limit']);
    }
    await rejected('limit=5&limit=6', ['limit']);
  });

  it('rejects bad dates and start_date later than end_date, naming every bad field', async () => {
    await rejected('start_date=2024-03-31&end_date=2024-03-01', ['start_date']);
    await rejected('limit=0&start_date=2024-02-30&end_date=nope', ['limit', 'start_date', 'end_date']);
  });
});

describe('GET /api/v1/analytics/tools authorization', () => {
  it('answers 401 without a valid key and 403 without read:analytics', async () => {
    const anonymous = await getJson(t, `${PATH}?limit=0`, null);
    expect(anonymous.status).toBe(401);
    expect(anonymous.body).toEqual({ error: { code: 'UNAUTHORIZED', message: 'Missing or invalid API key.' } });
    const writeOnly = await getJson(t, `${PATH}?limit=0`, keys.writeOnly);
    expect(writeOnly.status).toBe(403);
    expect(writeOnly.body).toEqual({ error: { code: 'FORBIDDEN', message: 'This API key does not have the required scope: read:analytics' } });
  });
});

const TOOLS_QUERY = `query ($start: DateTime, $end: DateTime, $limit: Int) {
  analytics(startDate: $start, endDate: $end) { tools(limit: $limit) { name invocationCount avgDurationMs errorRate } }
}`;

function asGraphQL(tools: readonly Tool[]) {
  return {
    data: {
      analytics: {
        tools: tools.map((x) => ({
          name: x.name, invocationCount: x.invocation_count, avgDurationMs: x.avg_duration_ms, errorRate: x.error_rate,
        })),
      },
    },
  };
}

describe('GraphQL analytics { tools }', () => {
  it('gives the same list as REST', async () => {
    const all = await t.graphql(TOOLS_QUERY, { start: '2024-03-01', end: '2024-03-31' }, keys.acme);
    expect(all.body).toEqual(asGraphQL(MARCH_TOOLS));
    const two = await t.graphql(TOOLS_QUERY, { start: '2024-03-01', end: '2024-03-31', limit: 2 }, keys.acme);
    expect(two.body).toEqual(asGraphQL(MARCH_TOOLS.slice(0, 2)));
    const empty = await t.graphql(TOOLS_QUERY, { end: '2024-04-01' }, keys.acme);
    expect(empty.body).toEqual(asGraphQL([]));
  });

  it('defaults limit to 10 and applies anything above 50 as 50', async () => {
    const byDefault = await t.graphql('{ analytics { tools { name } } }', {}, many);
    expect(byDefault.body.data?.['analytics'].tools.map((x: Tool) => x.name)).toEqual(MANY.slice(0, 10));
    const capped = await t.graphql(TOOLS_QUERY, { limit: 51 }, many);
    expect(capped.body.data?.['analytics'].tools.map((x: Tool) => x.name)).toEqual(MANY.slice(0, 50));
  });

  it('answers overview and tools together, from one clock reading', async () => {
    const { body } = await t.graphql(
      '{ analytics { overview { totalSessions topTools { name } } tools(limit: 1) { name invocationCount } } }', {}, many,
    );
    expect(body).toEqual({
      data: { analytics: { overview: { totalSessions: 1, topTools: MANY.slice(0, 5).map((name) => ({ name })) }, tools: [{ name: 'T00', invocationCount: 1 }] } },
    });
  });

  it('rejects a limit below 1 with VALIDATION_ERROR naming limit', async () => {
    const { body } = await t.graphql(TOOLS_QUERY, { limit: 0 }, keys.acme);
    expect(body.data).toEqual({ analytics: null });
    expect(body.errors?.map((e) => [e.extensions?.['code'], e.path, e.extensions?.['details']])).toEqual([
      ['VALIDATION_ERROR', ['analytics', 'tools'], [{ field: 'limit', message: 'must be an integer of at least 1' }]],
    ]);
  });

  it('fails without a key or without read:analytics', async () => {
    for (const [key, code] of [[null, 'UNAUTHENTICATED'], [keys.writeOnly, 'FORBIDDEN']] as const) {
      const { body } = await t.graphql(TOOLS_QUERY, {}, key);
      expect(body.data).toEqual({ analytics: null });
      expect(body.errors?.map((e) => e.extensions?.['code'])).toEqual([code]);
    }
  });
});
