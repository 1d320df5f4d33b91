// One CORS policy for every route and every answer (issue 16): preflights answered before admission, the
// headers on successes, refusals, errors and streams alike, origins restricted by TRENCHCOAT_CORS_ORIGINS,
// and never Access-Control-Allow-Credentials (keys travel in headers).
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadSettings } from '../src/config.js';
import { OPENAPI_PATH } from '../src/openapi/openapi-document.js';
import { openRequest } from './support/open-request.js';
import { event, SESSION_A, startTestGateway, type TestGateway } from './support/test-gateway.js';
import { TEST_ENGINE } from './support/test-database.js';

const PAGE = 'https://dashboard.example';
const EXPOSED = ['x-request-id', 'ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset', 'ratelimit-policy', 'retry-after'];
const SUBSCRIPTION = 'subscription { sessionUpdated { id eventCount } }';

function exposed(response: Response): string[] {
  return (response.headers.get('access-control-expose-headers') ?? '').split(',').map((name) => name.trim().toLowerCase());
}

/** The headers a page at `origin` needs to read this answer under the default policy (any origin). */
function expectReadableByAnyPage(response: Response, what: string): void {
  expect(response.headers.get('access-control-allow-origin'), what).toBe('*');
  expect(exposed(response), what).toEqual(EXPOSED);
  expect(response.headers.get('access-control-allow-credentials'), what).toBeNull();
}

function preflight(url: string, path: string, origin: string, method = 'POST', requested = 'content-type, x-api-key'): Promise<Response> {
  return fetch(`${url}${path}`, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': requested },
  });
}

// One engine's run is enough: CORS is decided in the HTTP layer, before any store.
describe.runIf(TEST_ENGINE === 'sqlite')('CORS with the default policy (any origin, no credentials)', () => {
  let t: TestGateway;
  let key: string;
  beforeAll(async () => {
    t = await startTestGateway({ env: { TRENCHCOAT_ANONYMOUS_BODY_LIMIT_BYTES: '1024' } });
    key = await t.key();
    expect((await t.post('/api/v1/events', { events: [event('session_start', SESSION_A, '2024-01-15T10:30:00Z')] }, key)).status).toBe(200);
  });
  afterAll(() => t.close());

  it.each([
    ['/api/v1/sessions', 'GET', 'GET, HEAD'],
    ['/api/v1/events', 'POST', 'POST'],
    ['/graphql', 'POST', 'GET, HEAD, POST'],
    [OPENAPI_PATH, 'GET', 'GET, HEAD'],
  ])('answers the preflight of %s 204 without a key, before admission', async (path, method, allowed) => {
    const response = await preflight(t.url, path, PAGE, method);
    expect(response.status).toBe(204);
    expect(await response.text()).toBe('');
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('access-control-allow-methods')).toBe(allowed);
    expect(response.headers.get('access-control-allow-headers')).toBe('Content-Type, X-API-Key, Authorization, X-Request-Id, Accept');
    expect(response.headers.get('access-control-max-age')).toBe('600');
    expect(response.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('does not count preflights against the limits of the caller without a key', async () => {
    const limited = await startTestGateway({ env: { TRENCHCOAT_ANONYMOUS_REQUESTS_PER_MINUTE: '2' } });
    try {
      for (let i = 0; i < 5; i++) expect((await preflight(limited.url, OPENAPI_PATH, PAGE, 'GET')).status).toBe(204);
      expect((await limited.get(OPENAPI_PATH, null, { origin: PAGE })).status).toBe(200);
    } finally {
      await limited.close();
    }
  });

  it('gives a plain OPTIONS (no Access-Control-Request-Method) no preflight answer', async () => {
    const response = await fetch(`${t.url}/api/v1/sessions`, { method: 'OPTIONS', headers: { origin: PAGE } });
    expect(response.status).toBe(405);
    expectReadableByAnyPage(response, 'OPTIONS without a requested method');
  });

  it('carries the headers on every kind of REST answer', async () => {
    const writer = await t.key({ scopes: ['write:events'] });
    const answers: [number, Promise<Response>][] = [
      [200, t.get('/api/v1/sessions', key, { origin: PAGE })],
      [200, t.get(OPENAPI_PATH, null, { origin: PAGE })],
      [200, t.get('/healthz', null, { origin: PAGE })],
      [400, t.get('/api/v1/sessions?limit=abc', key, { origin: PAGE })],
      [401, t.get('/api/v1/sessions', null, { origin: PAGE })],
      [403, t.get('/api/v1/sessions', writer, { origin: PAGE })],
      [404, t.get('/api/v1/nowhere', key, { origin: PAGE })],
      [405, fetch(`${t.url}/api/v1/sessions`, { method: 'DELETE', headers: { origin: PAGE, 'x-api-key': key } })],
      [415, t.post('/api/v1/events', '{}', key, { origin: PAGE, 'content-type': 'text/plain' })],
      [413, t.post('/graphql', { query: `{ __typename }${' '.repeat(4096)}` }, null, { origin: PAGE })],
    ];
    for (const [status, pending] of answers) {
      const response = await pending;
      expect(response.status).toBe(status);
      expectReadableByAnyPage(response, `a ${status}`);
      expect(response.headers.get('x-request-id')).toBeTruthy();
      await response.arrayBuffer();
    }
  });

  it('carries the headers on GraphQL answers: the fast path, Yoga, a bad GET `variables`, an error', async () => {
    const answers: [number, Promise<Response>][] = [
      [200, t.post('/graphql', { query: '{ sessions { total } }' }, key, { origin: PAGE, accept: 'application/json' })],
      [200, t.post('/graphql', { query: 'mutation { __typename }' }, key, { origin: PAGE, accept: 'application/graphql-response+json' })],
      [200, t.get(`/graphql?${new URLSearchParams({ query: '{ sessions { total } }' })}`, key, { origin: PAGE, accept: 'application/json' })],
      [400, t.get(`/graphql?${new URLSearchParams({ query: '{ __typename }', variables: '{nope' })}`, key, { origin: PAGE })],
      [401, t.post('/graphql', { query: '{ sessions { total } }' }, null, { origin: PAGE, accept: 'application/graphql-response+json' })],
    ];
    for (const [status, pending] of answers) {
      const response = await pending;
      expect(response.status).toBe(status);
      expectReadableByAnyPage(response, `a GraphQL ${status}`);
      await response.arrayBuffer();
    }
  });

  it('carries the headers on a 429, whose RateLimit-* and Retry-After a page can read', async () => {
    const standard = await t.key({ tier: 'standard' });
    let refused: Response | undefined;
    for (let i = 0; i < 100 && !refused; i++) {
      const response = await t.get('/api/v1/sessions', standard, { origin: PAGE });
      if (response.status === 429) refused = response;
      else await response.arrayBuffer();
    }
    expect(refused?.status).toBe(429);
    expectReadableByAnyPage(refused!, 'a 429');
    expect(refused!.headers.get('retry-after')).toMatch(/^[0-9]+$/);
    expect(refused!.headers.get('ratelimit-remaining')).toBe('0');
  });

  it.each([
    ['POST', () => ({ method: 'POST', body: JSON.stringify({ query: SUBSCRIPTION }) })],
    ['GET', () => ({ method: 'GET' })],
  ])('carries the headers on an SSE stream (%s)', async (method, init) => {
    const controller = new AbortController();
    const query = method === 'GET' ? `?${new URLSearchParams({ query: SUBSCRIPTION })}` : '';
    const response = await fetch(`${t.url}/graphql${query}`, {
      ...init(),
      headers: { origin: PAGE, accept: 'text/event-stream', 'content-type': 'application/json', 'x-api-key': key },
      signal: controller.signal,
    });
    try {
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
      expectReadableByAnyPage(response, `an SSE stream (${method})`);
    } finally {
      controller.abort();
    }
  });

  it('never allows credentials nor echoes the origin, whatever the origin, route and method', async () => {
    const origin = fc.oneof(
      fc.webUrl().map((url) => new URL(url).origin),
      fc.constantFrom('null', 'https://evil.example', 'http://localhost:3000', PAGE),
    );
    const target = fc.constantFrom('/api/v1/sessions', '/api/v1/events', '/graphql', OPENAPI_PATH, '/healthz', '/nowhere');
    const method = fc.constantFrom('GET', 'POST', 'DELETE', 'OPTIONS');
    await fc.assert(
      fc.asyncProperty(origin, target, method, fc.boolean(), async (from, path, verb, asPreflight) => {
        const headers: Record<string, string> = { origin: from, 'x-api-key': key, 'content-type': 'application/json' };
        if (asPreflight) headers['access-control-request-method'] = verb;
        const response = await fetch(`${t.url}${path}`, {
          method: asPreflight ? 'OPTIONS' : verb,
          headers,
          body: verb === 'POST' && !asPreflight ? '{}' : undefined,
        });
        await response.arrayBuffer();
        expect(response.status).toBeLessThan(500);
        expect(response.headers.get('access-control-allow-credentials')).toBeNull();
        expect(response.headers.get('access-control-allow-origin')).toBe('*');
      }),
      { numRuns: 40 },
    );
  });

  it('adds nothing to a request without an Origin', async () => {
    const response = await t.get('/api/v1/sessions', key);
    expect(response.status).toBe(200);
    expect([...response.headers.keys()].filter((name) => name.startsWith('access-control-'))).toEqual([]);
    expect(response.headers.get('vary')).toBeNull();
  });
});

describe.runIf(TEST_ENGINE === 'sqlite')('CORS restricted by TRENCHCOAT_CORS_ORIGINS', () => {
  const APP = 'https://app.example';
  let t: TestGateway;
  let key: string;
  beforeAll(async () => {
    t = await startTestGateway({ env: { TRENCHCOAT_CORS_ORIGINS: `${APP}, http://localhost:5173`, TRENCHCOAT_BODY_BYTES_IN_FLIGHT: '1024' } });
    key = await t.key();
  });
  afterAll(() => t.close());

  it('echoes an allowed origin, with Vary: Origin, on answers and preflights', async () => {
    for (const origin of [APP, 'http://localhost:5173']) {
      const answer = await t.get('/api/v1/sessions', key, { origin });
      expect(answer.status).toBe(200);
      expect(answer.headers.get('access-control-allow-origin')).toBe(origin);
      expect(answer.headers.get('vary')).toBe('Origin');
      expect(exposed(answer)).toEqual(EXPOSED);
      const ask = await preflight(t.url, '/graphql', origin);
      expect(ask.status).toBe(204);
      expect(ask.headers.get('access-control-allow-origin')).toBe(origin);
      expect(ask.headers.get('access-control-allow-methods')).toBe('GET, HEAD, POST');
      expect(ask.headers.get('vary')).toBe('Origin');
      expect(ask.headers.get('access-control-allow-credentials')).toBeNull();
    }
  });

  it('gives a foreign origin no CORS headers, on answers and preflights alike', async () => {
    for (const origin of ['https://evil.example', 'null', 'https://app.example:8443', 'http://app.example']) {
      const answer = await t.get('/api/v1/sessions', key, { origin });
      expect(answer.status).toBe(200);
      const ask = await preflight(t.url, '/api/v1/sessions', origin, 'GET');
      expect(ask.status).toBe(204);
      for (const response of [answer, ask]) {
        expect([...response.headers.keys()].filter((name) => name.startsWith('access-control-')), origin).toEqual([]);
        expect(response.headers.get('vary')).toBe('Origin');
      }
    }
  });

  it('carries the headers on a 503 (body bytes in flight past their ceiling)', async () => {
    const headers = { 'Content-Type': 'application/json', 'X-API-Key': key, Origin: APP };
    const holding = await openRequest(t.url, 'POST', '/api/v1/events', { ...headers, 'Content-Length': 1000 }, '{"events":[]}');
    try {
      for (let turn = 0; turn < 500 && t.gateway.bodyBytesInFlight.held === 0; turn++) await new Promise((resolve) => setTimeout(resolve, 10));
      const refused = await (await openRequest(t.url, 'POST', '/api/v1/events', { ...headers, 'Content-Length': 1000 })).answer;
      expect(refused.status).toBe(503);
      expect(refused.headers['access-control-allow-origin']).toBe(APP);
      expect(refused.headers['access-control-expose-headers']?.toLowerCase()).toContain('retry-after');
      expect(refused.headers['retry-after']).toBe('1');
    } finally {
      holding.abort();
    }
  });

  it('marks even an answer without an Origin as varying by it, so a cache keeps them apart', async () => {
    const response = await t.get('/api/v1/sessions', key);
    expect(response.headers.get('vary')).toBe('Origin');
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe.runIf(TEST_ENGINE === 'sqlite')('TRENCHCOAT_CORS_ORIGINS', () => {
  const read = (value: string) => loadSettings(['corsOrigins'], {}, { TRENCHCOAT_CORS_ORIGINS: value }).corsOrigins;

  it('is any origin by default, and * says so too', () => {
    expect(loadSettings(['corsOrigins'], {}, {}).corsOrigins).toBe('*');
    expect(read('*')).toBe('*');
  });

  it('reads a comma list of exact origins', () => {
    expect(read('https://app.example, http://localhost:5173,https://a.example:8443')).toEqual(['https://app.example', 'http://localhost:5173', 'https://a.example:8443']);
  });

  it.each([
    ['', '""'],
    ['app.example', '"app.example"'],
    ['https://app.example/', '"https://app.example/"'],
    ['https://app.example/dashboard', '"https://app.example/dashboard"'],
    ['https://app.example:443', 'did you mean "https://app.example"'],
    ['https://APP.example', 'did you mean "https://app.example"'],
    ['https://a.example,,https://b.example', '""'],
    ['*, https://app.example', '"*"'],
    ['ftp://files.example', '"ftp://files.example"'],
    ['null', '"null"'],
  ])('refuses %j at start, naming the variable and the entry', (value, named) => {
    expect(() => read(value)).toThrow(ConfigError);
    expect(() => read(value)).toThrow('TRENCHCOAT_CORS_ORIGINS');
    expect(() => read(value)).toThrow(named);
  });
});
