// A small, hand-priced usage dataset for the usage read specs (graphql-usage, rest-analytics-usage): sessions made
// through the real events API, model requests, failures and counters stored with storeUsage, and the figures worked
// out by hand from the bundled list prices (USD per million tokens: sonnet-4-5 3/15, opus-4-5 5/25, haiku-4-5 1/5;
// cache writes 1.25× input for 5 minutes, 2× for 1 hour; cache reads 0.1× input).
import type { UsageSummary } from '../../src/usage/usage-summary.js';
import { expect } from 'vitest';
import type { MetricPoint } from '../../src/usage/metric-point.js';
import type { ModelRequest, ModelRequestError } from '../../src/usage/model-request.js';
import { storeUsage, type UsageBatch } from '../../src/usage/store-usage.js';
import { event, type TestGateway } from './test-gateway.js';

export const NOW = Date.parse('2024-05-15T12:00:00Z');
const DAY = 86_400_000;

export const SONNET = 'claude-sonnet-4-5-20250929';
export const OPUS = 'claude-opus-4-5';
export const HAIKU = 'claude-haiku-4-5-20251001';

/** Transcript-only requests (2024-03-01), with counters. */
export const S_TRANSCRIPT = 'e0000000-0000-4000-8000-000000000001';
/** OTLP-only requests (2024-03-02), one with Claude Code's estimate, one without. */
export const S_OTLP = 'e0000000-0000-4000-8000-000000000002';
/** One request reported by both sources, and one failure (2024-03-02). */
export const S_JOINED = 'e0000000-0000-4000-8000-000000000003';
/** Models without a price (2024-03-03). */
export const S_UNKNOWN = 'e0000000-0000-4000-8000-000000000004';
/** No request, no counter. */
export const S_NONE = 'e0000000-0000-4000-8000-000000000005';
/** Started 2024-05-01; requests at the default range's edges. */
export const S_EDGES = 'e0000000-0000-4000-8000-000000000006';

type Tokens = [input: number, output: number, cacheWrite5m: number, cacheWrite1h: number, cacheRead: number];

function request(sessionId: string, requestKey: string, model: string, ts: string | number, source: 'transcript' | 'otlp', tokens: Tokens, reportedCostNanos: number | null = null): ModelRequest {
  const [inputTokens, outputTokens, cacheWrite5mTokens, cacheWrite1hTokens, cacheReadTokens] = tokens;
  return {
    sessionId, requestKey, model, ts: typeof ts === 'number' ? ts : Date.parse(ts), inputTokens, outputTokens, cacheWrite5mTokens,
    cacheWrite1hTokens, cacheReadTokens, reportedCostNanos, fast: false, source,
  };
}

export const MODEL_REQUESTS: readonly ModelRequest[] = [
  request(S_TRANSCRIPT, 'req_t1', SONNET, '2024-03-01T10:01:00Z', 'transcript', [1000, 500, 2000, 1000, 10000]),
  request(S_TRANSCRIPT, 'req_t2', OPUS, '2024-03-01T23:59:59.999Z', 'transcript', [100, 50, 0, 0, 0]),
  // At the first instant of 2024-03-02: inside a range ending `2024-03-02`.
  request(S_OTLP, 'req_o1', SONNET, '2024-03-02T00:00:00Z', 'otlp', [200, 100, 300, 0, 400], 12_345_678),
  request(S_OTLP, 'req_o2', HAIKU, '2024-03-02T09:02:00Z', 'otlp', [1000, 1000, 0, 0, 0]),
  request(S_JOINED, 'req_j', SONNET, '2024-03-02T10:01:00Z', 'transcript', [10, 20, 30, 40, 50]),
  request(S_JOINED, 'req_j', SONNET, '2024-03-02T10:01:00.500Z', 'otlp', [11, 21, 71, 0, 51], 999_000_000),
  request(S_UNKNOWN, 'req_u1', 'gpt-imaginary', '2024-03-03T00:00:00Z', 'otlp', [5, 5, 0, 0, 0]),
  request(S_UNKNOWN, 'req_u2', '', '2024-03-03T00:01:00Z', 'transcript', [1, 1, 0, 0, 0]),
  request(S_UNKNOWN, 'req_u3', 'mystery-model', '2024-03-03T00:02:00Z', 'otlp', [7, 0, 0, 0, 0], 500_000_000),
  request(S_UNKNOWN, 'req_s1', '<synthetic>', '2024-03-03T00:03:00Z', 'transcript', [0, 0, 0, 0, 0]),
  request(S_EDGES, 'req_d1', HAIKU, NOW - 30 * DAY, 'transcript', [1_000_000, 0, 0, 0, 0]),
  request(S_EDGES, 'req_d2', HAIKU, NOW - 30 * DAY - 1, 'transcript', [2_000_000, 0, 0, 0, 0]),
  request(S_EDGES, 'req_d3', HAIKU, NOW, 'transcript', [0, 1_000_000, 0, 0, 0]),
  request(S_EDGES, 'req_d4', HAIKU, NOW + 1, 'transcript', [0, 2_000_000, 0, 0, 0]),
];

export const ERRORS: readonly ModelRequestError[] = [
  { sessionId: S_JOINED, errorKey: 'err_1', model: SONNET, ts: Date.parse('2024-03-02T10:05:00Z'), statusCode: 529 },
];

const metric = (metricName: MetricPoint['metric'], pointKey: string, value: number, cumulative = false): MetricPoint => ({
  sessionId: S_TRANSCRIPT, metric: metricName, series: 'series-a', pointKey, cumulative, value,
});

export const METRIC_POINTS: readonly MetricPoint[] = [
  metric('active_time_user_seconds', 'd:1:2', 12.5),
  metric('active_time_user_seconds', 'd:2:3', 7.25),
  metric('active_time_cli_seconds', 'c:1', 30, true),
  metric('active_time_cli_seconds', 'c:1', 45.5, true),
  metric('lines_added', 'd:1:2', 10),
  metric('lines_added', 'd:2:3', 5),
  metric('lines_removed', 'd:1:2', 3),
  metric('commits', 'd:1:2', 1),
];

/** The usage fields, as GraphQL names them: the summary's own. */
export type UsageFigures = UsageSummary;

function figures(tokens: [number, number, number, number], cost: number, reported: number | null, computed: number | null, models: string[], unpricedModels: string[], requests: number, apiErrors = 0): UsageFigures {
  const [inputTokens, outputTokens, cacheCreationTokens, cacheReadTokens] = tokens;
  return {
    inputTokens, outputTokens, cacheCreationTokens, cacheReadTokens, totalTokens: inputTokens + outputTokens + cacheCreationTokens + cacheReadTokens,
    costUsd: cost, reportedCostUsd: reported, computedCostUsd: computed, models, unpricedModels, requests, apiErrors,
  };
}

// req_t1: 1000×3 + 500×15 + 2000×3.75 + 1000×6 + 10000×0.3 = 27000 µ$; req_t2: 100×5 + 50×25 = 1750 µ$.
export const TRANSCRIPT_USAGE = figures([1100, 550, 3000, 10000], 0.02875, null, 0.02875, [OPUS, SONNET], [], 2);
// req_o1 reported 0.012345678 (computed 600 + 1500 + 1125 + 120 = 3345 µ$); req_o2 not reported: 1000 + 5000 = 6000 µ$.
export const OTLP_USAGE = figures([1200, 1100, 300, 400], 0.018345678, 0.012345678, 0.009345, [HAIKU, SONNET], [], 2);
// Once, with the transcript's tokens: 30 + 300 + 112.5 + 240 + 15 = 697.5 µ$; OTLP's estimate still reported.
export const JOINED_USAGE = figures([10, 20, 70, 50], 0.0006975, 0.999, 0.0006975, [SONNET], [], 1, 1);
// gpt-imaginary and '' have neither price nor estimate (0); mystery-model has an estimate; <synthetic> has no tokens.
export const UNKNOWN_USAGE = figures([13, 6, 0, 0], 0.5, 0.5, null, ['gpt-imaginary', 'mystery-model'], ['', 'gpt-imaginary'], 4);

export const ACTIVITY = {
  activeTimeUserSeconds: 19.75, activeTimeCliSeconds: 45.5, linesAdded: 15, linesRemoved: 3, commits: 1, pullRequests: 0,
};

/** Costs to 12 decimals (float sums), everything else exactly. */
export function expectFigures(actual: UsageFigures | null | undefined, expected: UsageFigures, label = ''): void {
  expect(actual, label).toBeTruthy();
  const { costUsd, reportedCostUsd, computedCostUsd, ...exact } = actual!;
  const { costUsd: c, reportedCostUsd: r, computedCostUsd: m, ...wanted } = expected;
  expect(exact, label).toEqual(wanted);
  expect(costUsd, `${label} costUsd`).toBeCloseTo(c, 12);
  for (const [got, want, name] of [[reportedCostUsd, r, 'reportedCostUsd'], [computedCostUsd, m, 'computedCostUsd']] as const) {
    if (want === null) expect(got, `${label} ${name}`).toBeNull();
    else expect(got, `${label} ${name}`).toBeCloseTo(want, 12);
  }
}

/** The account id behind a key. */
export async function accountOf(t: TestGateway, key: string): Promise<number> {
  const principal = await t.gateway.keys.authenticate(key, NOW);
  expect(principal).not.toBeNull();
  return principal!.accountId;
}

export async function storeFor(t: TestGateway, key: string, batch: Partial<UsageBatch>): Promise<void> {
  await storeUsage(t.gateway.database.db, await accountOf(t, key), { modelRequests: [], errors: [], metricPoints: [], ...batch });
}

/** Ingests the sessions through the API and stores the usage: the joined request's two halves in separate deliveries. */
export async function loadUsageDataset(t: TestGateway, key: string): Promise<void> {
  const starts: [string, string][] = [
    [S_TRANSCRIPT, '2024-03-01T10:00:00Z'], [S_OTLP, '2024-03-01T23:00:00Z'], [S_JOINED, '2024-03-02T10:00:00Z'],
    [S_UNKNOWN, '2024-03-02T23:59:00Z'], [S_NONE, '2024-03-04T00:00:00Z'], [S_EDGES, '2024-05-01T00:00:00Z'],
  ];
  const response = await t.post('/api/v1/events', { events: starts.map(([id, ts]) => event('session_start', id, ts)) }, key);
  expect(response.status).toBe(200);
  const [otlpHalf, rest] = [MODEL_REQUESTS.filter((r) => r.requestKey === 'req_j' && r.source === 'otlp'), MODEL_REQUESTS.filter((r) => !(r.requestKey === 'req_j' && r.source === 'otlp'))];
  await storeFor(t, key, { modelRequests: otlpHalf, errors: ERRORS });
  await storeFor(t, key, { modelRequests: rest, metricPoints: METRIC_POINTS });
  // Redelivered: nothing changes.
  await storeFor(t, key, { modelRequests: MODEL_REQUESTS, errors: ERRORS, metricPoints: METRIC_POINTS });
}
