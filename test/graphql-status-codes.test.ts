// The HTTP status of every kind of GraphQL answer, per response media type (the README's status table,
// docs/api.md#graphql-errors). From the GraphQL-over-HTTP spec: partial data (some field produced a value) is
// 200 under application/json and application/graphql-response+json alike; a document that does not parse or
// validate, or variables that do not coerce, are 200 under application/json and 400 under
// application/graphql-response+json. Our own rules, the same under both types: a request that is not
// well-formed is 400, a body not declared JSON 415 (issue 15), a refusal by the GraphQL limits 400, and
// an answer in which no field produced a value (`{"sessions": null}`) has the status of its errors: 400,
// 401, 403, 422 (the spec's letter would be 200 for such a `data`; clients and proxies read 401/403).
// Refusals before GraphQL runs (415, 429) are application/json whatever was accepted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { event, SESSION_A, startTestGateway, type GraphQLBody, type TestGateway } from './support/test-gateway.js';

const MEDIA_TYPES = ['application/json', 'application/graphql-response+json'] as const;
type MediaType = (typeof MEDIA_TYPES)[number];

interface Answer {
  status: number;
  contentType: string;
  headers: Headers;
  body: GraphQLBody;
}

const codes = (body: GraphQLBody) => (body.errors ?? []).map((error) => error.extensions?.['code']);

describe.each(MEDIA_TYPES)('GraphQL status codes when accepting %s', (accept: MediaType) => {
  const yogaType = `${accept}; charset=utf-8`;
  /** Answered by the listener before GraphQL runs (415, 429): always application/json. */
  const refusalType = 'application/json; charset=utf-8';
  /** What the GraphQL-over-HTTP spec prefers for a document the server cannot run as sent. */
  const documentErrorStatus = accept === 'application/json' ? 200 : 400;
  let t: TestGateway;
  let key: string;
  let writer: string;

  beforeAll(async () => {
    // Fixed time: the standard key's minute does not roll over while its 60 requests are spent.
    t = await startTestGateway({ now: () => Date.parse('2024-03-01T00:00:30Z') });
    key = await t.key();
    writer = await t.key({ scopes: ['write:events'] });
    const stored = await t.post('/api/v1/events', { events: [event('session_start', SESSION_A, '2024-01-15T10:30:00Z')] }, key);
    expect(stored.status).toBe(200);
  });
  afterAll(() => t.close());

  async function post(body: string | object, headers: Record<string, string> = {}, apiKey: string | null = key): Promise<Answer> {
    const response = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept, ...(apiKey ? { 'x-api-key': apiKey } : {}), ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    const contentType = response.headers.get('content-type') ?? '';
    return { status: response.status, contentType, headers: response.headers, body: (await response.json()) as GraphQLBody };
  }

  describe('request errors: not a well-formed GraphQL-over-HTTP request', () => {
    it('answers a body that is not JSON with 400 VALIDATION_ERROR', async () => {
      const answer = await post('{"query": ');
      expect([answer.status, answer.contentType, codes(answer.body)]).toEqual([400, yogaType, ['VALIDATION_ERROR']]);
      expect(answer.body).not.toHaveProperty('data');
    });

    it('answers a body without a query with 400 VALIDATION_ERROR', async () => {
      const answer = await post({ qeury: '{ __typename }' });
      expect([answer.status, answer.contentType, codes(answer.body)]).toEqual([400, yogaType, ['VALIDATION_ERROR']]);
    });

    it('answers variables that are not a map with 400 VALIDATION_ERROR', async () => {
      const answer = await post({ query: 'query($l: Int) { sessions(limit: $l) { total } }', variables: [7] });
      expect([answer.status, answer.contentType, codes(answer.body)]).toEqual([400, yogaType, ['VALIDATION_ERROR']]);
    });

    it('answers an operation name the document does not define with 400 VALIDATION_ERROR (Yoga: it cannot tell it from a malformed one)', async () => {
      const answer = await post({ query: 'query A { __typename }', operationName: 'B' });
      expect([answer.status, answer.contentType, codes(answer.body)]).toEqual([400, yogaType, ['VALIDATION_ERROR']]);
    });

    it('refuses a body that is not declared JSON with 415 before reading it (our rule: no form or text bodies, issue 15)', async () => {
      const answer = await post('query={ __typename }', { 'content-type': 'application/x-www-form-urlencoded' });
      expect([answer.status, answer.contentType, codes(answer.body)]).toEqual([415, refusalType, ['UNSUPPORTED_MEDIA_TYPE']]);
    });
  });

  describe(`document errors: ${documentErrorStatus} here, as the spec recommends, with no data`, () => {
    it.each([
      ['a document that does not parse', { query: '{ sessions( }' }],
      ['a document that does not validate', { query: '{ sessions { nope } }' }],
      ['variables that do not coerce to a built-in type', { query: 'query($l: Int) { sessions(limit: $l) { total } }', variables: { l: 'ten' } }],
      ['variables that do not coerce to one of our scalars', { query: 'query($s: DateTime) { sessions(startDate: $s) { total } }', variables: { s: 'yesterday' } }],
    ])('answers %s', async (_name, body) => {
      const answer = await post(body);
      expect([answer.status, answer.contentType, codes(answer.body)]).toEqual([documentErrorStatus, yogaType, ['VALIDATION_ERROR']]);
      expect(answer.body).not.toHaveProperty('data');
    });
  });

  // Our rule: a refusal for size is 400 whatever the media type, found in validation (aliases) or, for the cost,
  // which depends on the variables, when the execution starts.
  it.each([
    ['aliases', { query: `{ ${Array.from({ length: 31 }, (_, i) => `a${i}: __typename`).join(' ')} }` }, 'Query alias count 31 exceeds the limit of 30.'],
    ['cost', { query: 'query($n: Int) { sessions(limit: 200) { nodes { events(limit: $n) { data } } } }', variables: { n: 500 } }, 'Query cost 100401 exceeds the limit of 50000.'],
  ])('refuses a document over the GraphQL %s limit with 400 VALIDATION_ERROR and no data', async (_limit, body, message) => {
    const answer = await post(body);
    expect([answer.status, answer.contentType, codes(answer.body)]).toEqual([400, yogaType, ['VALIDATION_ERROR']]);
    expect(answer.body.errors![0]!.message).toBe(message);
    expect(answer.body).not.toHaveProperty('data');
  });

  it('answers partial data (one field resolved, another failed) with 200, the errors beside the data, on every path', async () => {
    const query = '{ sessions(limit: 5) { total } bad: sessions(limit: 0) { total } }';
    // A JSON POST takes the fast path; the same body as application/graphql+json, and a GET, are Yoga's.
    const fast = await post({ query });
    const yoga = await post({ query }, { 'content-type': 'application/graphql+json' });
    const get = await fetch(`${t.url}/graphql?${new URLSearchParams({ query })}`, { headers: { accept, 'x-api-key': key } });
    const viaGet = { status: get.status, contentType: get.headers.get('content-type'), body: (await get.json()) as GraphQLBody };
    for (const answer of [fast, yoga, viaGet]) {
      expect([answer.status, answer.contentType, codes(answer.body)]).toEqual([200, yogaType, ['VALIDATION_ERROR']]);
      expect(answer.body.data).toEqual({ sessions: { total: 1 }, bad: null });
    }
  });

  it('answers partial data with 200 also when the failed field lacks a key or a scope', async () => {
    const anonymous = await post({ query: '{ __typename sessions { total } }' }, {}, null);
    expect([anonymous.status, anonymous.contentType, codes(anonymous.body)]).toEqual([200, yogaType, ['UNAUTHENTICATED']]);
    expect(anonymous.body.data).toEqual({ __typename: 'Query', sessions: null });
    const forbidden = await post({ query: '{ __typename sessions { total } }' }, {}, writer);
    expect([forbidden.status, forbidden.contentType, codes(forbidden.body)]).toEqual([200, yogaType, ['FORBIDDEN']]);
  });

  it('answers an error that decides the whole answer (no field produced data) with its status: 400', async () => {
    const answer = await post({ query: '{ sessions(limit: 0) { total } }' });
    expect([answer.status, answer.contentType, codes(answer.body)]).toEqual([400, yogaType, ['VALIDATION_ERROR']]);
    expect(answer.body.data).toEqual({ sessions: null });
  });

  it('answers a request without a key with 401 and one without the scope with 403 when no field produced data', async () => {
    const anonymous = await post({ query: '{ sessions { total } }' }, {}, null);
    expect([anonymous.status, anonymous.contentType, codes(anonymous.body)]).toEqual([401, yogaType, ['UNAUTHENTICATED']]);
    const forbidden = await post({ query: '{ sessions { total } }' }, {}, writer);
    expect([forbidden.status, forbidden.contentType, codes(forbidden.body)]).toEqual([403, yogaType, ['FORBIDDEN']]);
  });

  it('refuses an answer over the response budget whole with 422, even beside a field that would resolve', async () => {
    const small = await startTestGateway({ env: { TRENCHCOAT_GRAPHQL_MAX_RESPONSE_BYTES: '100' } });
    try {
      const smallKey = await small.key();
      const response = await fetch(`${small.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept, 'x-api-key': smallKey },
        body: JSON.stringify({ query: '{ __typename sessions(limit: 200) { nodes { id startedAt tools { name count } } } }' }),
      });
      const body = (await response.json()) as GraphQLBody;
      expect([response.status, response.headers.get('content-type'), codes(body)]).toEqual([422, yogaType, ['RESPONSE_TOO_LARGE']]);
      expect(body.data ?? null).toBeNull();
    } finally {
      await small.close();
    }
  });

  it('refuses a request over the key rate limit with 429 and Retry-After before GraphQL runs', async () => {
    const limited = await t.key({ tier: 'standard' });
    for (let i = 0; i < 60; i++) expect((await post({ query: '{ __typename }' }, {}, limited)).status).toBe(200);
    const answer = await post({ query: '{ __typename }' }, {}, limited);
    expect([answer.status, answer.contentType, codes(answer.body)]).toEqual([429, refusalType, ['RATE_LIMITED']]);
    expect(Number(answer.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  });
});
