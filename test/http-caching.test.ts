// HTTP caching (issue 16, item 7): GET data and the API description carry an ETag, and a matching If-None-Match
// is answered 304 with the headers the 200 had (CORS, request id, Vary, Cache-Control), after admission as
// always; keyed data is `private, no-cache`, the API description and its page `public, no-cache`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOCS_PAGE_PATH } from '../src/openapi/docs-assets.js';
import { OPENAPI_PATH } from '../src/openapi/openapi-document.js';
import { rawRequest } from './support/raw-answer.js';
import { loadReadPathDataset, READ_PATH_NOW, SESSION_FIELDS } from './support/read-path-dataset.js';
import { event, startTestGateway, type TestGateway } from './support/test-gateway.js';

const PAGE = 'https://dashboard.example';
const SESSIONS = '/api/v1/sessions?limit=200';
const QUERY_PATH = `/graphql?query=${encodeURIComponent(`{ sessions(limit: 200) { nodes { ${SESSION_FIELDS} } } }`)}`;
/** What a 304 must repeat from its 200 (RFC 9110 §15.4.5), and what the gateway adds to every answer. */
const REPEATED = ['etag', 'vary', 'cache-control', 'access-control-allow-origin', 'access-control-expose-headers', 'x-request-id'];

describe('ETag and 304', () => {
  let t: TestGateway;
  let key: string;
  beforeAll(async () => {
    t = await startTestGateway({ now: () => READ_PATH_NOW });
    key = await t.key();
    await loadReadPathDataset(t, key);
  });
  afterAll(() => t.close());

  const get = (path: string, headers: Record<string, string> = {}) =>
    rawRequest(`${t.url}${path}`, { headers: { 'x-api-key': key, origin: PAGE, accept: 'application/json', ...headers } });

  it.each([
    ['REST GET', SESSIONS],
    ['GraphQL GET', QUERY_PATH],
    ['the OpenAPI document', OPENAPI_PATH],
  ])('%s: a matching If-None-Match is a 304 with no body and the 200’s headers', async (_what, path) => {
    const first = await get(path, { 'x-request-id': 'first-ask' });
    expect(first.status).toBe(200);
    const etag = first.headers['etag']!;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    const again = await get(path, { 'x-request-id': 'first-ask', 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
    for (const name of REPEATED) expect(again.headers[name], name).toBe(first.headers[name]);
    expect(again.headers['access-control-allow-origin']).toBe('*');
    expect(again.headers['x-request-id']).toBe('first-ask');
    expect(again.headers['content-encoding']).toBeUndefined();
  });

  it('tags an encoded answer weakly with the same hash, and either form revalidates either answer', async () => {
    const identity = await get(SESSIONS);
    const strong = identity.headers['etag']!;
    const encoded = await get(SESSIONS, { 'accept-encoding': 'br' });
    expect(encoded.headers['content-encoding']).toBe('br');
    expect(encoded.headers['etag']).toBe(`W/${strong}`);
    const revalidatedEncoded = await get(SESSIONS, { 'accept-encoding': 'br', 'if-none-match': strong });
    expect(revalidatedEncoded.status).toBe(304);
    expect(revalidatedEncoded.headers['etag']).toBe(`W/${strong}`);
    expect((await get(SESSIONS, { 'if-none-match': `"other", W/${strong}` })).status).toBe(304);
  });

  it('answers 200 with a new ETag once the data changed', async () => {
    const before = await get(SESSIONS);
    const graphqlBefore = await get(QUERY_PATH);
    const ingested = await t.post('/api/v1/events', { events: [event('session_start', '0b9a8f2e-0000-4000-8000-00000000beef', '2024-02-27T12:00:00Z')] }, key);
    expect(ingested.status).toBe(200);
    for (const [path, earlier] of [[SESSIONS, before], [QUERY_PATH, graphqlBefore]] as const) {
      const after = await get(path, { 'if-none-match': earlier.headers['etag']! });
      expect(after.status, path).toBe(200);
      expect(after.headers['etag'], path).not.toBe(earlier.headers['etag']);
      expect(after.body.toString(), path).toContain('0b9a8f2e-0000-4000-8000-00000000beef');
    }
  });

  it('tags no GraphQL POST (a POST answer is not reused) and answers it whole despite If-None-Match', async () => {
    const tagged = await get(QUERY_PATH);
    const response = await rawRequest(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'x-api-key': key, 'content-type': 'application/json', accept: 'application/json', 'if-none-match': tagged.headers['etag']! },
      body: JSON.stringify({ query: `{ sessions(limit: 200) { nodes { ${SESSION_FIELDS} } } }` }),
    });
    expect(response.status).toBe(200);
    expect(response.headers['etag']).toBeUndefined();
    expect(response.body.toString()).toBe(tagged.body.toString());
  });

  it('checks the key before comparing tags: no key is 401 and a wrong key is 401, whatever If-None-Match says', async () => {
    const etag = (await get(SESSIONS)).headers['etag']!;
    const keyless = await rawRequest(`${t.url}${SESSIONS}`, { headers: { 'if-none-match': etag } });
    expect(keyless.status).toBe(401);
    const wrong = await rawRequest(`${t.url}${SESSIONS}`, { headers: { 'x-api-key': 'tc_not_a_key', 'if-none-match': etag } });
    expect(wrong.status).toBe(401);
  });

  it('counts a revalidation against the rate limit: past it, a matching If-None-Match is a 429', async () => {
    const standard = await t.key({ tier: 'standard' });
    const first = await rawRequest(`${t.url}${SESSIONS}`, { headers: { 'x-api-key': standard } });
    const etag = first.headers['etag']!;
    let last = first;
    for (let i = 2; i <= 60; i++) {
      last = await rawRequest(`${t.url}${SESSIONS}`, { headers: { 'x-api-key': standard, 'if-none-match': etag } });
      expect(last.status, `request ${i}`).toBe(304);
    }
    expect(last.headers['ratelimit-remaining']).toBe('0');
    const refused = await rawRequest(`${t.url}${SESSIONS}`, { headers: { 'x-api-key': standard, 'if-none-match': etag } });
    expect(refused.status).toBe(429);
    expect(refused.headers['retry-after']).toBeDefined();
  });
});

describe('Cache-Control', () => {
  let t: TestGateway;
  let key: string;
  beforeAll(async () => {
    t = await startTestGateway({ now: () => READ_PATH_NOW });
    key = await t.key();
    await loadReadPathDataset(t, key);
  });
  afterAll(() => t.close());

  it.each([
    ['REST GET', 'GET', SESSIONS, undefined],
    ['GraphQL GET', 'GET', QUERY_PATH, undefined],
    ['GraphQL POST (fast path)', 'POST', '/graphql', JSON.stringify({ query: '{ sessions(limit: 1) { total } }' })],
    ['GraphQL POST (Yoga)', 'POST', '/graphql', JSON.stringify({ query: '{ sessions(limit: 1) { total } }', extensions: {} })],
  ])('%s with a key is private, no-cache', async (_what, method, path, body) => {
    const answer = await rawRequest(`${t.url}${path}`, {
      method,
      headers: { 'x-api-key': key, accept: 'application/json', ...(body ? { 'content-type': 'application/json' } : {}) },
      body,
    });
    expect(answer.status).toBe(200);
    expect(answer.headers['cache-control']).toBe('private, no-cache');
  });

  it('a refusal on a keyed route is private, no-cache too', async () => {
    const refused = await rawRequest(`${t.url}${SESSIONS}`);
    expect(refused.status).toBe(401);
    expect(refused.headers['cache-control']).toBe('private, no-cache');
  });

  it.each([
    ['the OpenAPI document', OPENAPI_PATH],
    ['the docs page', DOCS_PAGE_PATH],
  ])('%s is public, no-cache, and revalidates to a 304', async (_what, path) => {
    const first = await rawRequest(`${t.url}${path}`);
    expect(first.status).toBe(200);
    expect(first.headers['cache-control']).toBe('public, no-cache');
    const again = await rawRequest(`${t.url}${path}`, { headers: { 'if-none-match': first.headers['etag']! } });
    expect(again.status).toBe(304);
    expect(again.headers['cache-control']).toBe('public, no-cache');
  });
});
