// Model usage on the read side (issue 17, item 3): Session.usage, Session.activity and analytics { usage(groupBy) }
// over requests stored with storeUsage, against figures worked out by hand (test/support/usage-dataset.ts).
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChangePublisher } from '../src/live/change-publisher.js';
import type { ModelRequest } from '../src/usage/model-request.js';
import { subscribe, type SseStream } from './support/sse-client.js';
import { event, startTestGateway, type TestGateway } from './support/test-gateway.js';
import {
  ACTIVITY, expectFigures, HAIKU, JOINED_USAGE, loadUsageDataset, NOW, OPUS, OTLP_USAGE, S_EDGES, S_JOINED, S_NONE, S_OTLP,
  S_TRANSCRIPT, S_UNKNOWN, SONNET, storeFor, TRANSCRIPT_USAGE, UNKNOWN_USAGE, type UsageFigures,
} from './support/usage-dataset.js';

const FIGURES = 'inputTokens outputTokens cacheCreationTokens cacheReadTokens totalTokens costUsd reportedCostUsd computedCostUsd models unpricedModels requests apiErrors';
const ACTIVITY_FIELDS = 'activeTimeUserSeconds activeTimeCliSeconds linesAdded linesRemoved commits pullRequests';

/** Shortest time between two live updates of one session, as configured below. */
const INTERVAL_MS = 250;

let t: TestGateway;
let key: string;
let rival: string;

beforeAll(async () => {
  t = await startTestGateway({ now: () => NOW, env: { TRENCHCOAT_SUBSCRIPTION_INTERVAL_MS: String(INTERVAL_MS) } });
  key = await t.key({ account: 'usage' });
  rival = await t.key({ account: 'usage-rival' });
  await loadUsageDataset(t, key);
  // Another account, the same session id: its own session, requests and counters, never the first account's.
  const response = await t.post('/api/v1/events', { events: [{ event_type: 'session_start', session_id: S_TRANSCRIPT, timestamp: '2024-03-01T10:00:00Z' }] }, rival);
  expect(response.status).toBe(200);
  await storeFor(t, rival, {
    modelRequests: [{
      sessionId: S_TRANSCRIPT, requestKey: 'req_t1', model: SONNET, ts: Date.parse('2024-03-01T12:00:00Z'), inputTokens: 1_000_000,
      outputTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, cacheReadTokens: 0, reportedCostNanos: null, fast: false, source: 'transcript',
    }],
    metricPoints: [{ sessionId: S_TRANSCRIPT, metric: 'commits', series: 's', pointKey: 'd:1:2', cumulative: false, value: 99 }],
  });
});
afterAll(() => t.close());

async function sessionUsage(id: string, as = key) {
  const { status, body } = await t.graphql(`query ($id: ID!) { session(id: $id) { usage { ${FIGURES} } activity { ${ACTIVITY_FIELDS} } } }`, { id }, as);
  expect(status, JSON.stringify(body)).toBe(200);
  expect(body.errors).toBeUndefined();
  return body.data!['session'] as { usage: UsageFigures | null; activity: typeof ACTIVITY | null };
}

describe('Session.usage and Session.activity', () => {
  it('is null for a session without requests or counters', async () => {
    expect(await sessionUsage(S_NONE)).toEqual({ usage: null, activity: null });
  });

  it('sums transcript-only requests at list prices, and the session\'s counters', async () => {
    const { usage, activity } = await sessionUsage(S_TRANSCRIPT);
    expectFigures(usage, TRANSCRIPT_USAGE);
    expect(activity).toEqual(ACTIVITY);
  });

  it('shows Claude Code\'s own estimate for OTLP-only requests, and the list price where it has none', async () => {
    const { usage, activity } = await sessionUsage(S_OTLP);
    expectFigures(usage, OTLP_USAGE);
    expect(activity).toBeNull();
  });

  it('counts a request reported by both sources once, with the transcript\'s tokens, and its failures', async () => {
    expectFigures((await sessionUsage(S_JOINED)).usage, JOINED_USAGE);
  });

  it('adds 0 for a model with neither price nor estimate, and lists it', async () => {
    expectFigures((await sessionUsage(S_UNKNOWN)).usage, UNKNOWN_USAGE);
  });

  it("never shows another account's requests or counters under the same session id", async () => {
    const mine = await sessionUsage(S_TRANSCRIPT);
    expectFigures(mine.usage, TRANSCRIPT_USAGE);
    const theirs = await sessionUsage(S_TRANSCRIPT, rival);
    expect(theirs.usage).toMatchObject({ inputTokens: 1_000_000, requests: 1, models: [SONNET], apiErrors: 0 });
    expect(theirs.usage!.costUsd).toBeCloseTo(3, 12);
    expect(theirs.activity).toEqual({ activeTimeUserSeconds: 0, activeTimeCliSeconds: 0, linesAdded: 0, linesRemoved: 0, commits: 99, pullRequests: 0 });
    expect((await sessionUsage(S_OTLP, rival))).toBeNull();
  });

  it('reads the usage and activity of a whole page in one statement each (requests, failures, counters)', async () => {
    const statements: string[] = [];
    const stop = t.gateway.database.onStatement((sql) => {
      if (/model_requests|model_request_errors|session_metrics/.test(sql)) statements.push(sql);
    });
    try {
      const { body } = await t.graphql(`{ sessions(limit: 50) { nodes { id usage { requests costUsd } activity { commits } } } }`, {}, key);
      expect(body.errors).toBeUndefined();
      const nodes = body.data!['sessions'].nodes as { id: string; usage: { requests: number } | null }[];
      expect(nodes.map((n) => [n.id, n.usage?.requests ?? null])).toEqual([
        [S_TRANSCRIPT, 2], [S_OTLP, 2], [S_JOINED, 1], [S_UNKNOWN, 4], [S_NONE, null], [S_EDGES, 4],
      ]);
    } finally {
      stop();
    }
    expect(statements.filter((s) => /model_request_errors/.test(s))).toHaveLength(1);
    expect(statements.filter((s) => /session_metrics/.test(s))).toHaveLength(1);
    expect(statements.filter((s) => /model_requests/.test(s) && !/model_request_errors/.test(s))).toHaveLength(1);
  });

  it("reads a live change's usage once for all the account's subscribers; each account's subscribers get their own", async () => {
    const LIVE = `subscription ($id: ID) { sessionUpdated(sessionId: $id) { id usage { requests inputTokens } } }`;
    const second = await t.key({ account: 'usage' });
    const streams: SseStream[] = [];
    const statements: string[] = [];
    const stop = t.gateway.database.onStatement((sql) => {
      if (/from "model_requests"/.test(sql)) statements.push(sql);
    });
    try {
      for (const k of [key, key, second, second]) streams.push(await subscribe(t.url, LIVE, { key: k, variables: { id: S_TRANSCRIPT } }));
      const theirs = await subscribe(t.url, LIVE, { key: rival, variables: { id: S_TRANSCRIPT } });
      streams.push(theirs);
      expect(streams.map((s) => s.status)).toEqual([200, 200, 200, 200, 200]);
      await settle(streams);
      const mine = await sessionUsage(S_TRANSCRIPT);
      statements.length = 0;
      expect((await t.post('/api/v1/events', { events: [event('notification', S_TRANSCRIPT, '2024-03-01T10:30:00Z')] }, key)).status).toBe(200);
      const received = await Promise.all(streams.slice(0, 4).map((s) => s.next(5000)));
      for (const message of received) {
        expect(message?.data?.data?.sessionUpdated).toEqual({ id: S_TRANSCRIPT, usage: { requests: mine.usage!.requests, inputTokens: mine.usage!.inputTokens } });
      }
      expect(await theirs.next(300)).toBeNull();
      expect(statements).toHaveLength(1);

      expect((await t.post('/api/v1/events', { events: [event('notification', S_TRANSCRIPT, '2024-03-01T10:31:00Z')] }, rival)).status).toBe(200);
      expect((await theirs.next(5000))?.data?.data?.sessionUpdated).toEqual({ id: S_TRANSCRIPT, usage: { requests: 1, inputTokens: 1_000_000 } });
      expect(await streams[0]!.next(300)).toBeNull();
      expect(statements).toHaveLength(2);
    } finally {
      stop();
      for (const s of streams) s.close();
    }
  });
});

/**
 * Lets a change committed before the subscriptions (the data set's, on a stalled machine) reach them now, throttle
 * slot and all, and drops what it brought: the spec counts what its own changes bring.
 */
async function settle(streams: SseStream[]): Promise<void> {
  const { changes } = t.gateway.services;
  if (!(changes instanceof ChangePublisher)) throw new Error('the gateway announces changes through a ChangePublisher');
  await changes.flush();
  await new Promise((resolve) => setTimeout(resolve, INTERVAL_MS + 50));
  for (const s of streams) while (await s.next(0));
}

const USAGE_QUERY = `query ($start: DateTime, $end: DateTime, $by: UsageGroupBy!) {
  analytics(startDate: $start, endDate: $end) { usage(groupBy: $by) { day model ${FIGURES} } }
}`;

type Group = UsageFigures & { day: string | null; model: string | null };

async function groups(variables: Record<string, unknown>, as = key): Promise<Group[]> {
  const { status, body } = await t.graphql(USAGE_QUERY, variables, as);
  expect(status, JSON.stringify(body)).toBe(200);
  expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
  return body.data!['analytics'].usage as Group[];
}

const MARCH_2: UsageFigures = {
  inputTokens: 1210, outputTokens: 1120, cacheCreationTokens: 370, cacheReadTokens: 450, totalTokens: 3150,
  costUsd: 0.019043178, reportedCostUsd: 1.011345678, computedCostUsd: 0.0100425, models: [HAIKU, SONNET], unpricedModels: [],
  requests: 3, apiErrors: 1,
};

function expectGroups(actual: Group[], expected: [key: string, figures: UsageFigures][], by: 'day' | 'model'): void {
  expect(actual.map((g) => (by === 'day' ? g.day : g.model))).toEqual(expected.map(([k]) => k));
  actual.forEach((g, i) => {
    expect(by === 'day' ? g.model : g.day).toBeNull();
    const { day: _day, model: _model, ...figures } = g;
    expectFigures(figures, expected[i]![1], expected[i]![0]);
  });
}

describe('analytics { usage(groupBy) }', () => {
  it('groups by UTC day of each request, ascending, whatever day its session started', async () => {
    expectGroups(await groups({ start: '2024-03-01', end: '2024-03-04', by: 'DAY' }), [
      ['2024-03-01', TRANSCRIPT_USAGE], ['2024-03-02', MARCH_2], ['2024-03-03', UNKNOWN_USAGE],
    ], 'day');
  });

  it('groups by model, by costUsd descending, then model', async () => {
    const only = (model: string, f: Partial<UsageFigures>): UsageFigures => ({
      inputTokens: 0, outputTokens: 0, cacheCreationTokens: 0, cacheReadTokens: 0, totalTokens: 0, costUsd: 0, reportedCostUsd: null,
      computedCostUsd: null, models: model === '' || model === '<synthetic>' ? [] : [model], unpricedModels: [], requests: 1, apiErrors: 0, ...f,
    });
    expectGroups(await groups({ start: '2024-03-01', end: '2024-03-04', by: 'MODEL' }), [
      ['mystery-model', only('mystery-model', { inputTokens: 7, totalTokens: 7, costUsd: 0.5, reportedCostUsd: 0.5 })],
      [SONNET, only(SONNET, {
        inputTokens: 1210, outputTokens: 620, cacheCreationTokens: 3370, cacheReadTokens: 10450, totalTokens: 15650, costUsd: 0.040043178,
        reportedCostUsd: 1.011345678, computedCostUsd: 0.0310425, requests: 3, apiErrors: 1,
      })],
      [HAIKU, only(HAIKU, { inputTokens: 1000, outputTokens: 1000, totalTokens: 2000, costUsd: 0.006, computedCostUsd: 0.006 })],
      [OPUS, only(OPUS, { inputTokens: 100, outputTokens: 50, totalTokens: 150, costUsd: 0.00175, computedCostUsd: 0.00175 })],
      ['', only('', { inputTokens: 1, outputTokens: 1, totalTokens: 2, unpricedModels: [''] })],
      ['<synthetic>', only('<synthetic>', {})],
      ['gpt-imaginary', only('gpt-imaginary', { inputTokens: 5, outputTokens: 5, totalTokens: 10, unpricedModels: ['gpt-imaginary'] })],
    ], 'model');
  });

  it('takes both bounds inclusive, a date meaning its first instant', async () => {
    const o1Only: UsageFigures = {
      inputTokens: 200, outputTokens: 100, cacheCreationTokens: 300, cacheReadTokens: 400, totalTokens: 1000, costUsd: 0.012345678,
      reportedCostUsd: 0.012345678, computedCostUsd: 0.003345, models: [SONNET], unpricedModels: [], requests: 1, apiErrors: 0,
    };
    expectGroups(await groups({ start: '2024-03-01', end: '2024-03-02', by: 'DAY' }), [['2024-03-01', TRANSCRIPT_USAGE], ['2024-03-02', o1Only]], 'day');
    const t2Only: UsageFigures = {
      inputTokens: 100, outputTokens: 50, cacheCreationTokens: 0, cacheReadTokens: 0, totalTokens: 150, costUsd: 0.00175,
      reportedCostUsd: null, computedCostUsd: 0.00175, models: [OPUS], unpricedModels: [], requests: 1, apiErrors: 0,
    };
    expectGroups(await groups({ start: '2024-03-01T23:59:59.999Z', end: '2024-03-01T23:59:59.999Z', by: 'DAY' }), [['2024-03-01', t2Only]], 'day');
  });

  it('defaults to the 30 days before now, both edges included, and to DAY', async () => {
    const edge = (input: number, output: number): UsageFigures => ({
      inputTokens: input, outputTokens: output, cacheCreationTokens: 0, cacheReadTokens: 0, totalTokens: input + output,
      costUsd: input * 1e-6 + output * 5e-6, reportedCostUsd: null, computedCostUsd: input * 1e-6 + output * 5e-6, models: [HAIKU],
      unpricedModels: [], requests: 1, apiErrors: 0,
    });
    expectGroups(await groups({ by: 'DAY' }), [['2024-04-15', edge(1_000_000, 0)], ['2024-05-15', edge(0, 1_000_000)]], 'day');
    const { body } = await t.graphql('{ analytics { usage { day requests } } }', {}, key);
    expect(body).toEqual({ data: { analytics: { usage: [{ day: '2024-04-15', requests: 1 }, { day: '2024-05-15', requests: 1 }] } } });
  });

  it('answers an empty range with an empty list, and refuses start later than end', async () => {
    expect(await groups({ start: '2024-05-16', by: 'MODEL' })).toEqual([]);
    expect(await groups({ end: '2024-04-01', by: 'DAY' })).toEqual([]);
    expect(await groups({ start: '2023-01-01', end: '2023-12-31', by: 'DAY' })).toEqual([]);
    const { body } = await t.graphql(USAGE_QUERY, { start: '2024-03-31', end: '2024-03-01', by: 'DAY' }, key);
    expect(body.data).toEqual({ analytics: null });
    expect(body.errors?.map((e) => [e.extensions?.['code'], e.path, e.extensions?.['details']])).toEqual([
      ['VALIDATION_ERROR', ['analytics'], [{ field: 'startDate', message: 'must not be later than the end date' }]],
    ]);
  });

  it("never counts another account's requests", async () => {
    const theirs = await groups({ start: '2024-03-01', end: '2024-03-04', by: 'MODEL' }, rival);
    expect(theirs.map((g) => [g.model, g.requests, g.inputTokens])).toEqual([[SONNET, 1, 1_000_000]]);
  });

  it('answers usage together with overview and tools, and through a fragment on the Usage interface', async () => {
    const { body } = await t.graphql(`{ analytics(startDate: "2024-03-01", endDate: "2024-03-02") {
      overview { totalSessions } byModel: usage(groupBy: MODEL) { model ...U } byDay: usage { day ...U } } }
      fragment U on Usage { requests }`, {}, key);
    expect(body).toEqual({ data: { analytics: {
      overview: { totalSessions: 2 },
      byModel: [{ model: SONNET, requests: 2 }, { model: OPUS, requests: 1 }],
      byDay: [{ day: '2024-03-01', requests: 2 }, { day: '2024-03-02', requests: 1 }],
    } } });
  });
});

describe('usage under the GraphQL limits', () => {
  it('still refuses a query over the cost limit', async () => {
    const { status, body } = await t.graphql(`{ sessions(limit: 200) { nodes { usage { ${FIGURES} } activity { ${ACTIVITY_FIELDS} } events(limit: 500) { type timestamp data } } } }`, {}, key);
    expect(status).toBe(400);
    expect(body.errors?.[0]?.message).toMatch(/^Query cost \d+ exceeds the limit of 50000\.$/);
  });

  it('charges the rows it reads: a range over the rows limit is refused before it is read', async () => {
    const small = await startTestGateway({ now: () => NOW, env: { TRENCHCOAT_GRAPHQL_MAX_ROWS: '5' } });
    try {
      const smallKey = await small.key({ account: 'rows' });
      await loadUsageDataset(small, smallKey);
      // 2 requests on 2024-03-01: within 5 rows.
      const fits = await small.graphql(USAGE_QUERY, { start: '2024-03-01', end: '2024-03-01T23:59:59.999Z', by: 'DAY' }, smallKey);
      expect(fits.body.errors).toBeUndefined();
      // 9 requests and 1 failure in March.
      const over = await small.graphql(USAGE_QUERY, { start: '2024-03-01', end: '2024-03-04', by: 'MODEL' }, smallKey);
      expect(over.status).toBe(422);
      expect(over.body.data).toBeNull();
      expect(over.body.errors?.[0]?.extensions?.['code']).toBe('TOO_MANY_ROWS');
      expect(over.body.errors?.[0]?.message).toContain('Analytics.usage');
      // Session.usage charges the requests each session's usage read: 2 + 2 fit, 2 + 2 + 2 (a request and a failure) do not.
      const two = await small.graphql('{ sessions(limit: 2) { nodes { usage { requests } } } }', {}, smallKey);
      expect(two.body.errors).toBeUndefined();
      const sessions = await small.graphql('{ sessions(limit: 10) { nodes { usage { requests } } } }', {}, smallKey);
      expect(sessions.status).toBe(422);
      expect(sessions.body.errors?.[0]?.extensions?.['code']).toBe('TOO_MANY_ROWS');
    } finally {
      await small.close();
    }
  });

  it('charges every group it answers, with its aliased keys, against the response budget', async () => {
    const small = await startTestGateway({ now: () => NOW, env: { TRENCHCOAT_GRAPHQL_MAX_RESPONSE_BYTES: '20000' } });
    try {
      const smallKey = await small.key({ account: 'bytes' });
      // 40 days with one request each.
      await storeFor(small, smallKey, {
        modelRequests: Array.from({ length: 40 }, (_, i): ModelRequest => ({
          sessionId: S_TRANSCRIPT, requestKey: `r${i}`, model: HAIKU, ts: Date.parse('2024-01-01T12:00:00Z') + i * 86_400_000, inputTokens: 1,
          outputTokens: 1, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, cacheReadTokens: 0, reportedCostNanos: null, fast: false, source: 'transcript',
        })),
      });
      const plain = await small.graphql('{ analytics(startDate: "2024-01-01", endDate: "2024-03-01") { usage { day requests } } }', {}, smallKey);
      expect(plain.body.errors).toBeUndefined();
      expect(plain.body.data!['analytics'].usage).toHaveLength(40);
      const alias = `a${'x'.repeat(400)}`;
      const long = await small.graphql(`{ analytics(startDate: "2024-01-01", endDate: "2024-03-01") { usage { ${alias}: day } } }`, {}, smallKey);
      expect(long.status).toBe(422);
      expect(long.body.errors?.[0]?.extensions?.['code']).toBe('RESPONSE_TOO_LARGE');
      expect(long.body.errors?.[0]?.message).toContain('Analytics.usage, 40 groups');
    } finally {
      await small.close();
    }
  });
});

describe('pricing does not depend on how requests were grouped, batched or repeated', () => {
  const MODELS = [SONNET, OPUS, HAIKU, 'claude-sonnet-4-5', 'no-such-model'];
  const PRICES: Record<string, [number, number]> = { [SONNET]: [3, 15], 'claude-sonnet-4-5': [3, 15], [OPUS]: [5, 25], [HAIKU]: [1, 5] };
  const tokens = fc.nat({ max: 2_000_000 });
  const requestArb = fc.record({
    model: fc.constantFrom(...MODELS),
    source: fc.constantFrom('transcript' as const, 'otlp' as const),
    input: tokens, output: tokens, cw5m: tokens, cw1h: tokens, cacheRead: tokens,
    reported: fc.option(fc.nat({ max: 5_000_000_000 }), { nil: null }),
    day: fc.integer({ min: 0, max: 3 }),
  });

  /** What one request costs by the rules, priced on its own (ccusage's way: per line). */
  function ownCost(r: typeof requestArb extends fc.Arbitrary<infer T> ? T : never): number {
    const price = PRICES[r.model];
    const reported = r.source === 'otlp' && r.reported !== null ? r.reported / 1e9 : null;
    const cw1h = r.source === 'transcript' ? r.cw1h : 0;
    const listed = price
      ? (r.input * price[0] + r.output * price[1] + (r.cw5m + (r.source === 'otlp' ? r.cw1h : 0)) * price[0] * 1.25 + cw1h * price[0] * 2 + r.cacheRead * price[0] * 0.1) / 1e6
      : null;
    return (r.source === 'transcript' ? listed : (reported ?? listed)) ?? 0;
  }

  it('costs the sum of its requests priced one by one, however they were delivered', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(requestArb, { minLength: 1, maxLength: 12 }), fc.integer({ min: 1, max: 4 }), fc.boolean(), async (requests, batches, repeat) => {
        const account = await t.key({ account: `priced-${run++}` });
        const started = await t.post('/api/v1/events', { events: [{ event_type: 'session_start', session_id: S_TRANSCRIPT, timestamp: '2024-03-01T00:00:00Z' }] }, account);
        expect(started.status).toBe(200);
        const stored: ModelRequest[] = requests.map((r, i) => ({
          sessionId: S_TRANSCRIPT, requestKey: `req_${i}`, model: r.model, ts: Date.parse('2024-03-01T00:00:00Z') + r.day * 86_400_000 + i,
          inputTokens: r.input, outputTokens: r.output, cacheWrite5mTokens: r.cw5m, cacheWrite1hTokens: r.cw1h, cacheReadTokens: r.cacheRead,
          reportedCostNanos: r.source === 'otlp' ? r.reported : null, fast: false, source: r.source,
        }));
        // Delivered in `batches` parts, last first, and perhaps all again.
        const parts = Array.from({ length: batches }, (_, b) => stored.filter((_, i) => i % batches === b)).reverse();
        for (const part of repeat ? [...parts, stored] : parts) await storeFor(t, account, { modelRequests: part });
        const expected = requests.reduce((sum, r) => sum + ownCost(r), 0);
        const sessionCost = (await sessionUsage(S_TRANSCRIPT, account)).usage!.costUsd;
        const byModel = await groups({ start: '2024-03-01', end: '2024-03-05', by: 'MODEL' }, account);
        const byDay = await groups({ start: '2024-03-01', end: '2024-03-05', by: 'DAY' }, account);
        for (const total of [sessionCost, byModel.reduce((s, g) => s + g.costUsd, 0), byDay.reduce((s, g) => s + g.costUsd, 0)]) {
          expect(Math.abs(total - expected)).toBeLessThanOrEqual(1e-9 * Math.max(1, expected));
        }
        expect(byDay.reduce((s, g) => s + g.requests, 0)).toBe(requests.length);
      }),
      { numRuns: 12 },
    );
  });
});
