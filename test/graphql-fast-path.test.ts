// Plain JSON queries skip Yoga's HTTP layer (src/graphql/fast-query.ts). Whatever path a request
// takes, the answer must be the one Yoga gives: the same body sent as `application/graphql+json`
// always goes through Yoga, so comparing the two shows the fast path changes nothing a client can
// see (graphql-fast-path-parity.test.ts compares headers too, for browsers' requests).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { event, SESSION_A, SESSION_B, startTestGateway, type TestGateway } from './support/test-gateway.js';

describe('GraphQL fast path', () => {
  let t: TestGateway;
  let key: string;
  let readOnly: string;
  beforeAll(async () => {
    t = await startTestGateway({ now: () => Date.parse('2024-03-01T00:00:00Z') });
    key = await t.key();
    readOnly = await t.key({ scopes: ['write:events'] });
    const stored = await t.post('/api/v1/events', {
      events: [
        event('session_start', SESSION_A, '2024-01-15T10:30:00.120Z'),
        event('tool_use', SESSION_A, '2024-01-15T10:31:00Z', { data: { tool_name: 'Read' } }),
        event('session_end', SESSION_A, '2024-01-15T11:45:23Z'),
        event('prompt_submit', SESSION_B, '2024-02-29T23:00:00Z'),
      ],
    }, key);
    expect(stored.status).toBe(200);
  });
  afterAll(() => t.close());

  async function both(body: unknown, apiKey: string | null) {
    const answer = async (contentType: string) => {
      const response = await fetch(`${t.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': contentType, ...(apiKey ? { 'x-api-key': apiKey } : {}) },
        body: JSON.stringify(body),
      });
      return { status: response.status, type: response.headers.get('content-type'), body: await response.text() };
    };
    return { fast: await answer('application/json'), yoga: await answer('application/graphql+json') };
  }

  it.each([
    ['a page with every field', { query: '{ sessions(limit: 5) { total limit offset nodes { id startedAt endedAt durationMs eventCount toolInvocations } edges { cursor } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }' }],
    ['variables and an operation name', { query: 'query P($s: DateTime) { sessions(startDate: $s) { total nodes { id } } } query Q { session(id: "x") { id } }', variables: { s: '2024-02-01' }, operationName: 'P' }],
    ['one session with its tools and timeline', { query: `{ session(id: "${SESSION_A.toUpperCase()}") { id tools { name count } events { type timestamp data } } }` }],
    ['analytics', { query: '{ analytics(startDate: "2024-01-01", endDate: "2024-03-01") { overview { totalSessions activeDays topTools { name invocationCount } } } }' }],
    ['a validation error in a resolver', { query: '{ sessions(limit: 0) { total } }' }],
    ['a document that does not parse', { query: '{ sessions( }' }],
    ['a bad variable', { query: 'query($l: Int) { sessions(limit: $l) { total } }', variables: { l: 'ten' } }],
  ])('answers %s exactly as Yoga does', async (_name, body) => {
    const { fast, yoga } = await both(body, key);
    expect(fast).toEqual(yoga);
  });

  it('answers a missing key and a missing scope exactly as Yoga does', async () => {
    const query = { query: '{ sessions { total } }' };
    const anonymous = await both(query, null);
    expect(anonymous.fast).toEqual(anonymous.yoga);
    expect(anonymous.fast.status).toBe(401);
    const forbidden = await both(query, readOnly);
    expect(forbidden.fast).toEqual(forbidden.yoga);
    expect(forbidden.fast.status).toBe(403);
  });

  it('leaves mutations to Yoga, and they run once', async () => {
    const mutation = {
      query: `mutation { ingestEvents(events: [{ eventType: "notification", sessionId: "${SESSION_B}", timestamp: "2024-02-29T23:30:00Z" }]) { accepted duplicates } }`,
    };
    const { fast, yoga } = await both(mutation, key);
    expect(JSON.parse(fast.body)).toEqual({ data: { ingestEvents: { accepted: 1, duplicates: 0 } } });
    expect(JSON.parse(yoga.body)).toEqual({ data: { ingestEvents: { accepted: 1, duplicates: 1 } } });
  });
});
