// The fast path (src/graphql/fast-query.ts) answers a JSON POST of a query itself, browsers'
// requests included. Its answer must be Yoga's, byte for byte: Yoga's own answer is the same
// request sent as `application/graphql+json`, a body Yoga reads exactly as JSON and the fast path
// always leaves to it. And a query the fast path executes runs once, whatever its outcome.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseExposition, valueOf } from './support/prometheus-text.js';
import { event, SESSION_A, startTestGateway, type TestGateway } from './support/test-gateway.js';

const TOKEN = 'scrape-Token_0123456789abcdef';
const OPERATIONS = 'trenchcoat_graphql_operations_total';
const BROWSER = { origin: 'http://dashboard.example', accept: 'application/graphql-response+json' };

interface Answer {
  status: number;
  headers: [string, string][];
  body: string;
}

describe('GraphQL fast path: the same answer as Yoga, one execution', () => {
  let t: TestGateway;
  let key: string;
  let writer: string;
  let limited: string;
  beforeAll(async () => {
    t = await startTestGateway({ now: () => Date.parse('2024-03-01T00:00:30Z'), env: { TRENCHCOAT_METRICS_TOKEN: TOKEN } });
    key = await t.key();
    writer = await t.key({ scopes: ['write:events'] });
    limited = await t.key({ tier: 'standard' });
    const stored = await t.post('/api/v1/events', {
      events: [event('session_start', SESSION_A, '2024-01-15T10:30:00.120Z'), event('tool_use', SESSION_A, '2024-01-15T10:31:00Z', { data: { tool_name: 'Read' } })],
    }, key);
    expect(stored.status).toBe(200);
    const first = await t.graphql('{ sessions(first: 1) { edges { cursor } } }', {}, key);
    firstCursor = (first.body.data!['sessions'] as { edges: { cursor: string }[] }).edges[0]!.cursor;
  });
  afterAll(() => t.close());

  async function send(init: RequestInit & { headers: Record<string, string> }, query = ''): Promise<Answer> {
    const response = await fetch(`${t.url}/graphql${query}`, init);
    const headers = [...response.headers].filter(([name]) => name !== 'date' && name !== 'x-request-id');
    return { status: response.status, headers, body: await response.text() };
  }

  /** The fast path's answer (a JSON POST) and Yoga's (the same as `application/graphql+json`). */
  async function both(body: unknown, headers: Record<string, string>) {
    const post = (contentType: string) => send({ method: 'POST', headers: { ...headers, 'content-type': contentType }, body: JSON.stringify(body) });
    return { fast: await post('application/json'), yoga: await post('application/graphql+json') };
  }

  const shapes: [string, Record<string, string>][] = [
    ['plain JSON', { accept: 'application/json' }],
    ['no Accept', {}],
    ['a browser (Origin, application/graphql-response+json)', BROWSER],
    ['Origin with Accept application/json', { origin: 'http://dashboard.example', accept: 'application/json' }],
    ['Origin with preflight-style headers', { ...BROWSER, 'access-control-request-method': 'POST', 'access-control-request-headers': 'x-api-key' }],
    ['a list of media types', { accept: 'text/event-stream;q=0.5, application/graphql-response+json, application/json;q=0.9' }],
  ];
  /** A cursor the gateway handed out to `key` (cursors name the account they were handed out to). */
  let firstCursor = '';
  const requests: [string, unknown | (() => unknown)][] = [
    ['a query', { query: '{ sessions(limit: 5) { total nodes { id eventCount toolInvocations } } }' }],
    ['variables and an operation name', { query: 'query P($s: DateTime) { sessions(startDate: $s) { total } } query Q { __typename }', variables: { s: '2024-01-01' }, operationName: 'P' }],
    ['a validation error', { query: '{ sessions { nope } }' }],
    ['a document that does not parse', { query: '{ sessions( }' }],
    ['an error in a resolver (limit 0)', { query: '{ sessions(limit: 0) { total } }' }],
    ['an invalid UUID', { query: '{ session(id: "not-a-uuid") { id } }' }],
    ['a date variable that does not coerce', { query: 'query($s: DateTime) { sessions(startDate: $s) { total } }', variables: { s: 'yesterday' } }],
    ['a cursor page', () => ({ query: `{ sessions(last: 1, before: "${firstCursor}", orderBy: STARTED_AT_DESC) { total limit offset edges { cursor node { id } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }` })],
    ['a malformed cursor', { query: 'query($after: String) { sessions(first: 2, after: $after) { total } }', variables: { after: 'bm9wZQ' } }],
    ['a cost above the limit', { query: 'query($n: Int) { sessions(limit: 200) { nodes { events(limit: $n) { data } } } }', variables: { n: 500 } }],
  ];

  for (const [shape, headers] of shapes) {
    it.each(requests)(`answers %s from ${shape} exactly as Yoga does`, async (_name, request) => {
      const body = typeof request === 'function' ? request() : request;
      const { fast, yoga } = await both(body, { 'x-api-key': key, ...headers });
      expect(fast).toEqual(yoga);
    });
  }

  it('answers a missing key and a missing scope exactly as Yoga does, for a browser too', async () => {
    for (const headers of [{}, BROWSER]) {
      const anonymous = await both({ query: '{ sessions { total } }' }, headers);
      expect(anonymous.fast).toEqual(anonymous.yoga);
      expect(anonymous.fast.status).toBe(401);
      const forbidden = await both({ query: '{ sessions { total } }' }, { 'x-api-key': writer, ...headers });
      expect(forbidden.fast).toEqual(forbidden.yoga);
      expect(forbidden.fast.status).toBe(403);
    }
  });

  it('answers a rate-limited request exactly as Yoga does, RateLimit and Retry-After headers included', async () => {
    const headers = { 'x-api-key': limited, ...BROWSER };
    const query = { query: '{ sessions { total } }' };
    for (let i = 0; i < 60; i++) expect((await send({ method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(query) })).status).toBe(200);
    const { fast, yoga } = await both(query, headers);
    expect(fast).toEqual(yoga);
    expect(fast.status).toBe(429);
    expect(fast.headers.map(([name]) => name)).toContain('retry-after');
  });

  it('answers a GET as it answers the same query POSTed', async () => {
    const query = '{ sessions(limit: 5) { total nodes { id } } }';
    for (const headers of [{ accept: 'application/json' }, BROWSER]) {
      const get = await send({ headers: { 'x-api-key': key, ...headers } }, `?${new URLSearchParams({ query })}`);
      const { fast } = await both({ query }, { 'x-api-key': key, ...headers });
      // A GET's answer carries an ETag, to be revalidated (http-caching.test.ts); a POST's is not reused.
      expect(get.headers.map(([name]) => name)).toContain('etag');
      expect({ ...get, headers: get.headers.filter(([name]) => name !== 'etag') }).toEqual(fast);
    }
  });

  it('executes a failing query once: the operation counter moves by one per request', async () => {
    const scrape = async () => parseExposition(await (await t.get('/metrics', null, { authorization: `Bearer ${TOKEN}` })).text());
    const counted = (exposition: ReturnType<typeof parseExposition>, name: string) => valueOf(exposition, OPERATIONS, { operation_type: 'query', operation_name: name });
    const before = await scrape();
    for (const headers of [{ accept: 'application/json' }, BROWSER]) {
      const failing = await send({ method: 'POST', headers: { 'x-api-key': key, 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query: 'query Failing { sessions(limit: 0) { total } }' }) });
      expect(JSON.parse(failing.body).errors[0].extensions.code).toBe('VALIDATION_ERROR');
      const invalidId = await send({ method: 'POST', headers: { 'x-api-key': key, 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query: 'query BadId { session(id: "not-a-uuid") { id } }' }) });
      expect(invalidId.status).toBeGreaterThanOrEqual(200);
      const anonymous = await send({ method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query: 'query NoKey { sessions { total } }' }) });
      expect(anonymous.status).toBe(401);
    }
    const after = await scrape();
    for (const name of ['Failing', 'BadId', 'NoKey']) expect(counted(after, name) - counted(before, name), name).toBe(2);
  });
});
