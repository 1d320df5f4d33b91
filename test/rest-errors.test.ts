// REST authentication, scopes, the error table, X-Request-Id (docs/api.md#errors), and the health
// endpoints (docs/api.md#operations-endpoints).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateApiKey } from '../src/auth/api-key.js';
import { event, startTestGateway, type TestGateway } from './support/test-gateway.js';
import {
  expectErrorEnvelope,
  headFieldValues,
  ingestAll,
  rawRequest,
  rawSocketGet,
  unlimitedKey,
  uuidFor,
} from './support/rest-read-helpers.js';

const UNAUTHORIZED_BODY = { error: { code: 'UNAUTHORIZED', message: 'Missing or invalid API key.' } };
const FIVE_MIB = 5 * 1024 * 1024;
const SANE_ID = /^[A-Za-z0-9._-]{1,128}$/;

let t: TestGateway;
let key: string;

beforeAll(async () => {
  t = await startTestGateway({ now: () => Date.parse('2024-02-01T00:00:00Z') });
  key = await unlimitedKey(t);
  await ingestAll(t, key, [event('session_start', uuidFor(1), '2024-01-15T10:30:00Z')]);
});
afterAll(() => t.close());

async function expectUnauthorized(response: Response): Promise<void> {
  expect(response.status).toBe(401);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  expect(await response.json()).toStrictEqual(UNAUTHORIZED_BODY);
}

async function sessionCount(k = key): Promise<number> {
  const response = await t.get('/api/v1/sessions', k);
  expect(response.status).toBe(200);
  return ((await response.json()) as { data: { total: number } }).data.total;
}

describe('401 UNAUTHORIZED: one body for every bad key', () => {
  it('no key at all', async () => {
    await expectUnauthorized(await t.get('/api/v1/sessions', null));
    await expectUnauthorized(await t.post('/api/v1/events', { events: [event('session_start', uuidFor(9), '2024-01-01T00:00:00Z')] }, null));
  });

  it.each([
    ['empty', ''],
    ['short garbage', 'abc'],
    ['31 characters of secret', `ct_live_${'a'.repeat(31)}`],
    ['33 characters of secret', `ct_live_${'a'.repeat(33)}`],
    ['upper-case secret', `ct_live_${'A'.repeat(32)}`],
    ['another prefix', `ct_test_${'a'.repeat(32)}`],
    ['a symbol in the secret', `ct_live_${'a'.repeat(31)}!`],
    ['the Bearer form inside X-API-Key', `Bearer ${'x'}`],
  ])('malformed key in X-API-Key (%s)', async (_name, presented) => {
    await expectUnauthorized(await t.get('/api/v1/sessions', null, { 'x-api-key': presented }));
  });

  it('a well-formed key that was never issued', async () => {
    await expectUnauthorized(await t.get('/api/v1/sessions', generateApiKey()));
    await expectUnauthorized(await t.get('/api/v1/sessions', null, { authorization: `Bearer ${generateApiKey()}` }));
  });

  it.each([
    ['Bearer with garbage', 'Bearer abc'],
    ['Bearer with nothing', 'Bearer'],
    ['Basic credentials', `Basic ${Buffer.from('acme:secret').toString('base64')}`],
  ])('bad Authorization header (%s)', async (_name, value) => {
    await expectUnauthorized(await t.get('/api/v1/sessions', null, { authorization: value }));
  });

  it('a revoked key is refused on the very next request, over both headers', async () => {
    const created = await t.gateway.keys.create({ account: 'acme', scopes: ['read:analytics', 'write:events'], tier: 'unlimited' });
    expect((await t.get('/api/v1/sessions', created.key)).status).toBe(200);
    await t.gateway.keys.revoke(created.id);
    await expectUnauthorized(await t.get('/api/v1/sessions', created.key));
    await expectUnauthorized(await t.get('/api/v1/sessions', null, { authorization: `Bearer ${created.key}` }));
    await expectUnauthorized(
      await t.post('/api/v1/events', { events: [event('session_start', uuidFor(8), '2024-01-01T00:00:00Z')] }, created.key),
    );
    // The account's other keys are untouched, and the refused write stored nothing.
    expect(await sessionCount()).toBe(1);
  });
});

describe('ways to present a key', () => {
  it('accepts Authorization: Bearer <key>', async () => {
    const response = await t.get('/api/v1/sessions', null, { authorization: `Bearer ${key}` });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { data: { total: number } }).data.total).toBe(1);
    const write = await t.post('/api/v1/events', { events: [event('tool_use', uuidFor(1), '2024-01-15T10:31:00Z')] }, null, {
      authorization: `Bearer ${key}`,
    });
    expect(write.status).toBe(200);
  });

  it.each(['X-API-Key', 'x-api-key', 'X-API-KEY', 'x-Api-kEY'])('reads the key from a header spelled %s', async (name) => {
    const response = await rawRequest(`${t.url}/api/v1/sessions`, { headers: { [name]: key } });
    expect(response.status).toBe(200);
    expect(JSON.parse(response.text).data.total).toBe(1);
  });

  it.each(['Authorization', 'AUTHORIZATION', 'authorization'])('reads a Bearer key from a header spelled %s', async (name) => {
    const response = await rawRequest(`${t.url}/api/v1/sessions`, { headers: { [name]: `Bearer ${key}` } });
    expect(response.status).toBe(200);
  });
});

describe('403 FORBIDDEN names the scope the endpoint needs', () => {
  it('a write-only key cannot list sessions', async () => {
    const writeOnly = await t.key({ account: 'acme', scopes: ['write:events'] });
    const response = await t.get('/api/v1/sessions', writeOnly);
    expect(response.status).toBe(403);
    expect(await response.text()).toBe(
      '{"error":{"code":"FORBIDDEN","message":"This API key does not have the required scope: read:analytics"}}',
    );
  });

  it('a read-only key cannot send events, and nothing is stored', async () => {
    const readOnly = await t.key({ account: 'acme', scopes: ['read:analytics'] });
    const response = await t.post('/api/v1/events', { events: [event('session_start', uuidFor(2), '2024-01-16T00:00:00Z')] }, readOnly);
    expect(response.status).toBe(403);
    expect(await response.json()).toStrictEqual({
      error: { code: 'FORBIDDEN', message: 'This API key does not have the required scope: write:events' },
    });
    expect(await sessionCount(readOnly)).toBe(1);
  });
});

describe('404 NOT_FOUND for unknown paths, with or without a key', () => {
  const PATHS = ['/', '/api', '/api/v1', '/api/v1/', '/api/v1/session', '/api/v2/sessions', '/API/V1/SESSIONS', '/api/v1/nope', '/favicon.ico'];
  const KEYS: [string, () => string | null][] = [
    ['no key', () => null],
    ['a valid key', () => key],
    ['an invalid key', () => 'nonsense'],
  ];
  for (const [keyName, keyOf] of KEYS) {
    it.each(PATHS)(`GET %s with ${keyName}`, async (path) => {
      const response = await t.get(path, keyOf());
      expect(response.status).toBe(404);
      expect(response.headers.get('x-request-id')).toMatch(SANE_ID);
      expectErrorEnvelope(await response.json(), 'NOT_FOUND');
    });
  }

  it('any method on an unknown path is 404, not 405', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
      const response = await fetch(`${t.url}/api/v1/nope`, { method, headers: { 'x-api-key': key } });
      expect(response.status, method).toBe(404);
      expectErrorEnvelope(await response.json(), 'NOT_FOUND');
    }
  });
});

describe('405 METHOD_NOT_ALLOWED with Allow on a known path', () => {
  const allowed = (response: Response) =>
    (response.headers.get('allow') ?? '').split(',').map((m) => m.trim()).filter((m) => m !== '');

  it.each(['POST', 'PUT', 'DELETE', 'PATCH'])('%s /api/v1/sessions', async (method) => {
    const response = await fetch(`${t.url}/api/v1/sessions`, { method, headers: { 'x-api-key': key } });
    expect(response.status).toBe(405);
    expectErrorEnvelope(await response.json(), 'METHOD_NOT_ALLOWED');
    expect(allowed(response)).toContain('GET');
    expect(allowed(response)).not.toContain(method);
  });

  it.each(['GET', 'PUT', 'DELETE', 'PATCH'])('%s /api/v1/events', async (method) => {
    const response = await fetch(`${t.url}/api/v1/events`, { method, headers: { 'x-api-key': key } });
    expect(response.status).toBe(405);
    expectErrorEnvelope(await response.json(), 'METHOD_NOT_ALLOWED');
    expect(allowed(response)).toContain('POST');
    expect(allowed(response)).not.toContain(method);
  });
});

describe('413 PAYLOAD_TOO_LARGE on POST /api/v1/events', () => {
  /** A valid batch of one event for `sessionId`, padded with JSON whitespace to exactly `bytes`. */
  function paddedBatch(sessionId: string, bytes: number): Buffer {
    const json = JSON.stringify({ events: [event('session_start', sessionId, '2024-01-20T00:00:00Z')] });
    return Buffer.from(json + ' '.repeat(bytes - Buffer.byteLength(json)));
  }

  it('a body of exactly 5 MiB is within the limit', async () => {
    const body = paddedBatch(uuidFor(50), FIVE_MIB);
    expect(body.length).toBe(FIVE_MIB);
    const response = await rawRequest(`${t.url}/api/v1/events`, {
      method: 'POST', headers: { 'X-API-Key': key, 'Content-Type': 'application/json' }, body,
    });
    expect(response.status, response.text).toBe(200);
    expect(JSON.parse(response.text)).toEqual({ data: { accepted: 1, rejected: 0, duplicates: 0, errors: [] } });
  });

  it.each([
    ['with Content-Length', false],
    ['streamed without Content-Length', true],
  ])('one byte over 5 MiB (%s) → 413, nothing stored', async (_name, chunked) => {
    const before = await sessionCount();
    const response = await rawRequest(`${t.url}/api/v1/events`, {
      method: 'POST',
      headers: { 'X-API-Key': key, 'Content-Type': 'application/json', 'X-Request-Id': 'too-big.1' },
      body: paddedBatch(uuidFor(chunked ? 52 : 51), FIVE_MIB + 1),
      chunked,
    });
    expect(response.status).toBe(413);
    expect(response.headers['x-request-id']).toBe('too-big.1');
    expectErrorEnvelope(JSON.parse(response.text), 'PAYLOAD_TOO_LARGE');
    expect(await sessionCount()).toBe(before);
  });

  it('a body far over the limit → 413', async () => {
    const response = await rawRequest(`${t.url}/api/v1/events`, {
      method: 'POST', headers: { 'X-API-Key': key, 'Content-Type': 'application/json' }, body: Buffer.alloc(12 * 1024 * 1024, 0x20),
    });
    expect(response.status).toBe(413);
    expectErrorEnvelope(JSON.parse(response.text), 'PAYLOAD_TOO_LARGE');
  });
});

describe('X-Request-Id', () => {
  const SANE = ['abc', 'A.b_c-1', 'x'.repeat(128), 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-', '-', '...'];

  it.each(SANE)('echoes a sane id %j', async (id) => {
    const response = await t.get('/api/v1/sessions', key, { 'x-request-id': id });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-request-id')).toBe(id);
  });

  it.each([
    ['129 characters', 'x'.repeat(129)],
    ['a space', 'abc def'],
    ['a slash', 'abc/def'],
    ['a colon', 'abc:def'],
    ['a plus', 'abc+def'],
    ['empty', ''],
  ])('replaces an id with %s by a new one', async (_name, id) => {
    const response = await t.get('/api/v1/sessions', key, { 'x-request-id': id });
    expect(response.status).toBe(200);
    const given = response.headers.get('x-request-id');
    expect(given).not.toBe(id);
    expect(given).toMatch(SANE_ID);
  });

  it('replaces a non-ASCII id (Latin-1 and UTF-8 bytes) by a new one', async () => {
    const latin1 = await rawRequest(`${t.url}/api/v1/sessions`, { headers: { 'X-API-Key': key, 'X-Request-Id': 'caf\u00e9' } });
    expect(latin1.status).toBe(200);
    expect(latin1.headers['x-request-id']).not.toBe('caf\u00e9');
    expect(latin1.headers['x-request-id']).toMatch(SANE_ID);

    const utf8 = await rawSocketGet(`${t.url}/api/v1/sessions`, [
      Buffer.from(`X-API-Key: ${key}`),
      Buffer.concat([Buffer.from('X-Request-Id: '), Buffer.from('req-日本-1', 'utf8')]),
    ]);
    expect(utf8.head.split('\r\n')[0]).toMatch(/^HTTP\/1\.1 200 /);
    const ids = headFieldValues(utf8.head, 'x-request-id');
    expect(ids).toHaveLength(1);
    expect(ids[0]).toMatch(SANE_ID);
    expect(ids[0]).not.toContain('req-');
  });

  it('generates a different id for each request that sends none', async () => {
    const a = (await t.get('/api/v1/sessions', key)).headers.get('x-request-id');
    const b = (await t.get('/api/v1/sessions', key)).headers.get('x-request-id');
    expect(a).toMatch(SANE_ID);
    expect(b).toMatch(SANE_ID);
    expect(a).not.toBe(b);
  });

  it('is on every response, errors and other endpoints included', async () => {
    const writeOnly = await t.key({ account: 'acme', scopes: ['write:events'] });
    const cases: [string, number, (id: string) => Promise<Response>][] = [
      ['r-sessions', 200, (id) => t.get('/api/v1/sessions', key, { 'x-request-id': id })],
      ['r-events', 200, (id) => t.post('/api/v1/events', { events: [event('tool_use', uuidFor(1), '2024-01-15T10:32:00Z')] }, key, { 'x-request-id': id })],
      ['r-400', 400, (id) => t.get('/api/v1/sessions?limit=0', key, { 'x-request-id': id })],
      ['r-400-body', 400, (id) => t.post('/api/v1/events', 'not json', key, { 'x-request-id': id })],
      ['r-401', 401, (id) => t.get('/api/v1/sessions', null, { 'x-request-id': id })],
      ['r-403', 403, (id) => t.get('/api/v1/sessions', writeOnly, { 'x-request-id': id })],
      ['r-404', 404, (id) => t.get('/nowhere', null, { 'x-request-id': id })],
      ['r-405', 405, (id) => fetch(`${t.url}/api/v1/sessions`, { method: 'DELETE', headers: { 'x-request-id': id } })],
      ['r-healthz', 200, (id) => t.get('/healthz', null, { 'x-request-id': id })],
      ['r-readyz', 200, (id) => t.get('/readyz', null, { 'x-request-id': id })],
      ['r-graphql', 200, (id) => t.post('/graphql', { query: '{ __typename }' }, null, { 'x-request-id': id, accept: 'application/json' })],
    ];
    for (const [id, status, send] of cases) {
      const response = await send(id);
      expect(response.status, id).toBe(status);
      expect(response.headers.get('x-request-id'), id).toBe(id);
      const unnamed = await send('bad id');
      expect(unnamed.status, id).toBe(status);
      expect(unnamed.headers.get('x-request-id'), id).toMatch(SANE_ID);
    }
  });
});

describe('health endpoints need no key', () => {
  it.each(['/healthz', '/readyz'])('%s answers 200 without a key, and with a bad one', async (path) => {
    const bare = await t.get(path, null);
    expect(bare.status).toBe(200);
    expect(bare.headers.get('x-request-id')).toMatch(SANE_ID);
    expect((await t.get(path, 'nonsense')).status).toBe(200);
    expect((await t.get(path, null, { authorization: 'Bearer nonsense' })).status).toBe(200);
  });
});
