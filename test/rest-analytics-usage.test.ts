// GET /api/v1/analytics/usage (issue 17, item 3): model usage by UTC day or by model over REST, the same figures as
// GraphQL's analytics { usage }, the analytics routes' parameter rules and error envelope, and the OpenAPI document.
import { Ajv2020 } from 'ajv/dist/2020.js';
import formats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPENAPI_DOCUMENT } from '../src/openapi/openapi-document.js';
import { expectErrorEnvelope } from './support/rest-read-helpers.js';
import { startTestGateway, type TestGateway } from './support/test-gateway.js';
import {
  expectFigures, HAIKU, loadUsageDataset, NOW, OPUS, S_TRANSCRIPT, SONNET, storeFor, TRANSCRIPT_USAGE, UNKNOWN_USAGE, type UsageFigures,
} from './support/usage-dataset.js';

const PATH = '/api/v1/analytics/usage';
const MARCH = 'start_date=2024-03-01&end_date=2024-03-04';
const FIGURE_KEYS = [
  'input_tokens', 'output_tokens', 'cache_creation_tokens', 'cache_read_tokens', 'total_tokens', 'cost_usd', 'reported_cost_usd',
  'computed_cost_usd', 'models', 'unpriced_models', 'requests', 'api_errors',
];

let t: TestGateway;
let key: string;
let rival: string;
let writeOnly: string;

beforeAll(async () => {
  t = await startTestGateway({ now: () => NOW });
  key = await t.key({ account: 'usage' });
  rival = await t.key({ account: 'usage-rival' });
  writeOnly = await t.key({ account: 'usage', scopes: ['write:events'] });
  await loadUsageDataset(t, key);
  const response = await t.post('/api/v1/events', { events: [{ event_type: 'session_start', session_id: S_TRANSCRIPT, timestamp: '2024-03-01T10:00:00Z' }] }, rival);
  expect(response.status).toBe(200);
  await storeFor(t, rival, {
    modelRequests: [{
      sessionId: S_TRANSCRIPT, requestKey: 'req_t1', model: OPUS, ts: Date.parse('2024-03-01T12:00:00Z'), inputTokens: 42,
      outputTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, cacheReadTokens: 0, reportedCostNanos: null, fast: false, source: 'transcript',
    }],
  });
});
afterAll(() => t.close());

type Row = Record<string, unknown>;

async function get(query: string, as: string | null = key): Promise<{ status: number; body: any }> {
  const response = await t.get(`${PATH}${query === '' ? '' : `?${query}`}`, as);
  return { status: response.status, body: await response.json() };
}

async function rows(query: string, as = key): Promise<Row[]> {
  const { status, body } = await get(query, as);
  expect(status, JSON.stringify(body)).toBe(200);
  expect(Object.keys(body)).toEqual(['data']);
  expect(Array.isArray(body.data)).toBe(true);
  return body.data as Row[];
}

/** A REST row's figures in GraphQL's names, after insisting on its exact keys in order. */
function figuresOf(row: Row, first: 'day' | 'model'): UsageFigures {
  expect(Object.keys(row)).toEqual([first, ...FIGURE_KEYS]);
  return {
    inputTokens: row['input_tokens'] as number, outputTokens: row['output_tokens'] as number,
    cacheCreationTokens: row['cache_creation_tokens'] as number, cacheReadTokens: row['cache_read_tokens'] as number,
    totalTokens: row['total_tokens'] as number, costUsd: row['cost_usd'] as number, reportedCostUsd: row['reported_cost_usd'] as number | null,
    computedCostUsd: row['computed_cost_usd'] as number | null, models: row['models'] as string[], unpricedModels: row['unpriced_models'] as string[],
    requests: row['requests'] as number, apiErrors: row['api_errors'] as number,
  };
}

describe('GET /api/v1/analytics/usage', () => {
  it('groups by UTC day by default, days ascending, keys in snake_case and in order', async () => {
    const days = await rows(MARCH);
    expect(days.map((r) => r['day'])).toEqual(['2024-03-01', '2024-03-02', '2024-03-03']);
    expectFigures(figuresOf(days[0]!, 'day'), TRANSCRIPT_USAGE);
    expectFigures(figuresOf(days[2]!, 'day'), UNKNOWN_USAGE);
    expect(figuresOf(days[1]!, 'day')).toMatchObject({ requests: 3, apiErrors: 1, models: [HAIKU, SONNET] });
    expect(await rows(`${MARCH}&group_by=day`)).toEqual(days);
  });

  it('groups by model, by cost descending, then model', async () => {
    const models = await rows(`group_by=model&${MARCH}`);
    expect(models.map((r) => r['model'])).toEqual(['mystery-model', SONNET, HAIKU, OPUS, '', '<synthetic>', 'gpt-imaginary']);
    models.forEach((r) => figuresOf(r, 'model'));
    expect(models.map((r) => r['unpriced_models'])).toEqual([[], [], [], [], [''], [], ['gpt-imaginary']]);
  });

  it('gives the figures GraphQL gives', async () => {
    for (const by of ['day', 'model'] as const) {
      const rest = await rows(`group_by=${by}&${MARCH}`);
      const { body } = await t.graphql(`{ analytics(startDate: "2024-03-01", endDate: "2024-03-04") { usage(groupBy: ${by.toUpperCase()}) {
        day model inputTokens outputTokens cacheCreationTokens cacheReadTokens totalTokens costUsd reportedCostUsd computedCostUsd models unpricedModels requests apiErrors } } }`, {}, key);
      const graphql = body.data!['analytics'].usage as (UsageFigures & { day: string | null; model: string | null })[];
      expect(rest.map((r) => r[by])).toEqual(graphql.map((g) => g[by]));
      rest.forEach((r, i) => {
        const { day: _d, model: _m, ...figures } = graphql[i]!;
        expect(figuresOf(r, by)).toEqual(figures);
      });
    }
  });

  it('applies the analytics range rules: inclusive bounds, defaults, empty ranges', async () => {
    expect((await rows('start_date=2024-03-01&end_date=2024-03-02')).map((r) => [r['day'], r['requests']])).toEqual([['2024-03-01', 2], ['2024-03-02', 1]]);
    expect((await rows('')).map((r) => [r['day'], r['requests']])).toEqual([['2024-04-15', 1], ['2024-05-15', 1]]);
    for (const empty of ['start_date=2024-05-16', 'end_date=2024-04-01', 'start_date=2023-01-01&end_date=2023-12-31&group_by=model']) {
      const { status, body } = await get(empty);
      expect(status).toBe(200);
      expect(body).toEqual({ data: [] });
    }
  });

  it("never shows another account's usage", async () => {
    const theirs = await rows(`group_by=model&${MARCH}`, rival);
    expect(theirs.map((r) => [r['model'], r['requests'], r['input_tokens']])).toEqual([[OPUS, 1, 42]]);
  });
});

describe('GET /api/v1/analytics/usage parameters and errors', () => {
  async function rejected(query: string, fields: string[]) {
    const { status, body } = await get(query);
    expect(status, `${query} → ${JSON.stringify(body)}`).toBe(400);
    expectErrorEnvelope(body, 'VALIDATION_ERROR', fields);
    return body;
  }

  it('takes group_by day or model, lower case, once', async () => {
    for (const value of ['week', 'DAY', 'Model', '', 'day ']) await rejected(`group_by=${encodeURIComponent(value)}`, ['group_by']);
    const body = await rejected('group_by=day&group_by=day', ['group_by']);
    expect(body.error.details).toEqual([{ field: 'group_by', message: 'must be given at most once' }]);
  });

  it('rejects bad dates and start_date later than end_date, naming every bad field at once', async () => {
    const later = await rejected('start_date=2024-03-31&end_date=2024-03-01', ['start_date']);
    expect(later.error.details).toEqual([{ field: 'start_date', message: 'must not be later than the end date' }]);
    await rejected('group_by=hour&start_date=2024-02-30&end_date=nope', ['group_by', 'start_date', 'end_date']);
    await rejected('start_date=2024-03-01&start_date=2024-03-02', ['start_date']);
  });

  it('answers 401 without a valid key and 403 without read:analytics, before reading parameters', async () => {
    const anonymous = await get('group_by=nope', null);
    expect(anonymous.status).toBe(401);
    expect(anonymous.body).toEqual({ error: { code: 'UNAUTHORIZED', message: 'Missing or invalid API key.' } });
    const denied = await get('group_by=nope', writeOnly);
    expect(denied.status).toBe(403);
    expect(denied.body).toEqual({ error: { code: 'FORBIDDEN', message: 'This API key does not have the required scope: read:analytics' } });
  });
});

describe('GET /api/v1/analytics/usage in the OpenAPI document', () => {
  const doc = JSON.parse(JSON.stringify(OPENAPI_DOCUMENT));
  const ajv = new Ajv2020({ strict: true, allErrors: true, allowUnionTypes: true });
  formats.default(ajv);
  ajv.addVocabulary(['openapi', 'info', 'tags', 'paths', 'components']);
  ajv.addSchema(doc, 'urn:trenchcoat:usage-openapi');
  const schemaOf = (status: string) => {
    let response = doc.paths[PATH].get.responses[status];
    if (response.$ref) response = doc.components.responses[response.$ref.split('/').pop()];
    const ref = response.content['application/json'].schema.$ref as string;
    return ajv.getSchema(`urn:trenchcoat:usage-openapi${ref}`)!;
  };

  it('describes the answers the route gives', async () => {
    const ok = schemaOf('200');
    for (const query of [MARCH, `group_by=model&${MARCH}`, 'start_date=2030-01-01']) {
      const { body } = await get(query);
      expect(ok(body) ? [] : ok.errors, query).toEqual([]);
    }
    const bad = schemaOf('400');
    const { body } = await get('group_by=hour');
    expect(bad(body) ? [] : bad.errors).toEqual([]);
    const parameters = (doc.paths[PATH].get.parameters as { $ref: string }[]).map((p) => doc.components.parameters[p.$ref.split('/').pop()!].name);
    expect(parameters).toEqual(['group_by', 'start_date', 'end_date', 'X-Request-Id']);
  });
});
