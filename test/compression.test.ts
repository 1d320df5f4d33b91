// Compression (issue 16, item 7): JSON answers of 1 KB or more are sent in the coding the client prefers (brotli,
// else gzip), decoded equal to the identity answer, with Vary: Accept-Encoding; q-values are honoured; small
// answers, HEAD answers and streams are never encoded.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPENAPI_PATH } from '../src/openapi/openapi-document.js';
import { loadReadPathDataset, READ_PATH_NOW, SESSION_FIELDS } from './support/read-path-dataset.js';
import { rawRequest, type RawAnswer } from './support/raw-answer.js';
import { startTestGateway, type TestGateway } from './support/test-gateway.js';

const SESSIONS = '/api/v1/sessions?limit=200';
const QUERY = `{ sessions(limit: 200) { nodes { ${SESSION_FIELDS} } } }`;

describe('compression of JSON answers', () => {
  let t: TestGateway;
  let key: string;
  beforeAll(async () => {
    t = await startTestGateway({ now: () => READ_PATH_NOW });
    key = await t.key();
    await loadReadPathDataset(t, key);
  });
  afterAll(() => t.close());

  const get = (path: string, headers: Record<string, string> = {}) => rawRequest(`${t.url}${path}`, { headers: { 'x-api-key': key, ...headers } });
  const post = (body: unknown, headers: Record<string, string> = {}) =>
    rawRequest(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'x-api-key': key, 'content-type': 'application/json', accept: 'application/json', ...headers },
      body: JSON.stringify(body),
    });

  /** Asks for `ask` with each coding and with none; every encoded answer must decode to the identity one. */
  async function expectEncodedAsIdentity(ask: (headers: Record<string, string>) => Promise<RawAnswer>): Promise<RawAnswer> {
    const identity = await ask({});
    expect(identity.headers['content-encoding']).toBeUndefined();
    expect(identity.body.length).toBeGreaterThanOrEqual(1024);
    expect(identity.headers['vary']).toMatch(/\bAccept-Encoding\b/);
    for (const coding of ['br', 'gzip']) {
      const encoded = await ask({ 'accept-encoding': coding });
      expect(encoded.status, coding).toBe(identity.status);
      expect(encoded.headers['content-encoding'], coding).toBe(coding);
      expect(encoded.headers['content-length'], coding).toBe(String(encoded.body.length));
      expect(encoded.headers['content-type'], coding).toBe(identity.headers['content-type']);
      expect(encoded.headers['vary'], coding).toMatch(/\bAccept-Encoding\b/);
      expect(encoded.body.length, coding).toBeLessThan(identity.body.length / 2);
      expect(encoded.decoded().toString(), coding).toBe(identity.body.toString());
    }
    return identity;
  }

  it('encodes a REST page', async () => {
    const identity = await expectEncodedAsIdentity((headers) => get(SESSIONS, headers));
    expect(identity.status).toBe(200);
    expect(JSON.parse(identity.body.toString()).data.sessions).toHaveLength(28);
  });

  it('encodes a GraphQL POST answered by the fast path', async () => {
    const identity = await expectEncodedAsIdentity((headers) => post({ query: QUERY }, headers));
    expect(JSON.parse(identity.body.toString()).data.sessions.nodes).toHaveLength(28);
  });

  it('encodes a GraphQL POST answered by Yoga (a request the fast path declines: it has extensions)', async () => {
    const identity = await expectEncodedAsIdentity((headers) => post({ query: QUERY, extensions: {} }, headers));
    expect(JSON.parse(identity.body.toString()).data.sessions.nodes).toHaveLength(28);
  });

  it('encodes a GraphQL GET query', async () => {
    const identity = await expectEncodedAsIdentity((headers) => get(`/graphql?query=${encodeURIComponent(QUERY)}`, { accept: 'application/json', ...headers }));
    expect(JSON.parse(identity.body.toString()).data.sessions.nodes).toHaveLength(28);
  });

  it('encodes the OpenAPI document', async () => {
    const identity = await expectEncodedAsIdentity((headers) => rawRequest(`${t.url}${OPENAPI_PATH}`, { headers }));
    expect(JSON.parse(identity.body.toString()).openapi).toMatch(/^3\./);
  });

  it('encodes a large error body', async () => {
    // Forty unknown fields: forty validation errors, well over 1 KB.
    const fields = Array.from({ length: 40 }, (_, i) => `unknownField${i}`).join(' ');
    const identity = await expectEncodedAsIdentity((headers) => post({ query: `{ ${fields} }` }, headers));
    expect(JSON.parse(identity.body.toString()).errors).toHaveLength(40);
  });

  it('sends a body under 1 KB as it is, without Vary: Accept-Encoding', async () => {
    const small = await get('/api/v1/sessions?limit=1', { 'accept-encoding': 'br, gzip' });
    expect(small.status).toBe(200);
    expect(small.body.length).toBeLessThan(1024);
    expect(small.headers['content-encoding']).toBeUndefined();
    expect(small.headers['vary'] ?? '').not.toMatch(/Accept-Encoding/i);
    expect(JSON.parse(small.body.toString()).data.sessions).toHaveLength(1);
  });

  it.each([
    ['gzip;q=0', null],
    ['br;q=0, gzip;q=0', null],
    ['identity', null],
    ['*;q=0', null],
    ['identity;q=1, br;q=0.5', null],
    ['gzip;q=oops', null],
    ['br;q=0, gzip', 'gzip'],
    ['*, br;q=0', 'gzip'],
    ['br;q=0.2, gzip;q=0.9', 'gzip'],
    ['x-gzip', 'gzip'],
    ['gzip, deflate, br, zstd', 'br'],
    ['*', 'br'],
    ['identity;q=0.5, gzip;q=0.8', 'gzip'],
  ])('Accept-Encoding: %s → %s', async (acceptEncoding, coding) => {
    const answer = await get(SESSIONS, { 'accept-encoding': acceptEncoding });
    expect(answer.status).toBe(200);
    expect(answer.headers['content-encoding'] ?? null).toBe(coding);
    expect(JSON.parse(answer.decoded().toString()).data.sessions).toHaveLength(28);
  });

  it('answers HEAD without encoding, with the identity length and the same Vary', async () => {
    const identity = await get(SESSIONS);
    const head = await rawRequest(`${t.url}${SESSIONS}`, { method: 'HEAD', headers: { 'x-api-key': key, 'accept-encoding': 'br, gzip' } });
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
    expect(head.headers['content-encoding']).toBeUndefined();
    expect(head.headers['content-length']).toBe(String(identity.body.length));
    expect(head.headers['vary']).toBe(identity.headers['vary']);
  });

  it('never encodes a subscription stream (SSE)', async () => {
    const response = await fetch(`${t.url}/graphql?query=${encodeURIComponent('subscription { sessionUpdated { id } }')}`, {
      headers: { 'x-api-key': key, accept: 'text/event-stream', 'accept-encoding': 'br, gzip' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    // Yoga marks its event streams `Content-Encoding: none`, for proxies; never a real coding.
    expect(response.headers.get('content-encoding') ?? 'none').toBe('none');
    await response.body?.cancel();
  });
});

describe('compression under a CORS allow-list', () => {
  const APP = 'https://app.example';
  let t: TestGateway;
  let key: string;
  beforeAll(async () => {
    t = await startTestGateway({ now: () => READ_PATH_NOW, env: { TRENCHCOAT_CORS_ORIGINS: APP } });
    key = await t.key();
    await loadReadPathDataset(t, key);
  });
  afterAll(() => t.close());

  it('keeps the policy’s Vary: Origin beside Accept-Encoding', async () => {
    for (const path of [SESSIONS, OPENAPI_PATH, `/graphql?query=${encodeURIComponent(QUERY)}`]) {
      const answer = await rawRequest(`${t.url}${path}`, { headers: { 'x-api-key': key, origin: APP, accept: 'application/json', 'accept-encoding': 'gzip' } });
      expect(answer.status, path).toBe(200);
      expect(answer.headers['content-encoding'], path).toBe('gzip');
      expect(answer.headers['vary'], path).toBe('Origin, Accept-Encoding');
      expect(answer.headers['access-control-allow-origin'], path).toBe(APP);
    }
  });
});
