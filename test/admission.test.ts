// One admission for every route (src/http/admission.ts): the key is checked from the headers before
// any body is read, so a request without a valid key is refused 401 whatever its body, even one over
// the body limit; with a valid key the same body is 413.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawRequest } from './support/rest-read-helpers.js';
import { startTestGateway, type TestGateway } from './support/test-gateway.js';

const LIMIT = 1024;
const UNAUTHORIZED = { error: { code: 'UNAUTHORIZED', message: 'Missing or invalid API key.' } };

describe('the key before the body', () => {
  let t: TestGateway;
  let key: string;
  beforeAll(async () => {
    t = await startTestGateway({ env: { TRENCHCOAT_BODY_LIMIT_BYTES: String(LIMIT) } });
    key = await t.key();
  });
  afterAll(() => t.close());

  const oversized = Buffer.from(JSON.stringify({ events: [] }) + ' '.repeat(LIMIT * 4));

  it.each(['/api/v1/events', '/api/v1/hooks/claude-code'])('POST %s over the body limit: 401 without a key, 413 with one', async (path) => {
    for (const chunked of [false, true]) {
      for (const presented of [null, 'ct_live_nope', `ct_live_${'a'.repeat(32)}`]) {
        const headers: Record<string, string> = { 'Content-Type': 'application/json', ...(presented ? { 'X-API-Key': presented } : {}) };
        const refused = await rawRequest(`${t.url}${path}`, { method: 'POST', headers, body: oversized, chunked });
        expect(refused.status, `${presented} chunked=${chunked}`).toBe(401);
        expect(JSON.parse(refused.text)).toEqual(UNAUTHORIZED);
      }
      const admitted = await rawRequest(`${t.url}${path}`, {
        method: 'POST', headers: { 'Content-Type': 'application/json', 'X-API-Key': key }, body: oversized, chunked,
      });
      expect(admitted.status, `chunked=${chunked}`).toBe(413);
      expect(JSON.parse(admitted.text).error.code).toBe('PAYLOAD_TOO_LARGE');
    }
  });

  it('GraphQL reads the key first too: a body over the limit with a valid key is 413, without one it goes on as anonymous and is 413', async () => {
    for (const presented of [null, key]) {
      const response = await rawRequest(`${t.url}/graphql`, {
        method: 'POST', headers: { 'Content-Type': 'application/json', ...(presented ? { 'X-API-Key': presented } : {}) }, body: oversized,
      });
      expect(response.status).toBe(413);
    }
  });
});

describe('one key per request', () => {
  let t: TestGateway;
  let key: string;
  let other: string;
  beforeAll(async () => {
    t = await startTestGateway();
    key = await t.key();
    other = await t.key({ account: 'globex' });
  });
  afterAll(() => t.close());

  const conflicting = () => ({ 'X-API-Key': key, Authorization: `Bearer ${other}` });

  it('different keys in X-API-Key and Authorization: Bearer are a 400 on REST, naming both headers', async () => {
    const response = await t.get('/api/v1/sessions', null, conflicting());
    expect(response.status).toBe(400);
    const body = await response.json();
    expect(body.error.code).toBe('VALIDATION_ERROR');
    expect(body.error.message).toBe('X-API-Key and Authorization: Bearer carry different keys.');
    expect(body.error.details).toEqual([{ field: 'Authorization', message: expect.stringContaining('X-API-Key') }]);
  });

  it('the same refusal on GraphQL, in its errors list, and on ingestion before the body is stored', async () => {
    const graphql = await t.post('/graphql', { query: '{ sessions { total } }' }, null, conflicting());
    expect(graphql.status).toBe(400);
    expect((await graphql.json()).errors[0].extensions.code).toBe('VALIDATION_ERROR');
    const event = { event_type: 'session_start', session_id: '0b5c0f4e-1a55-4c2e-9a43-3f6a1f1d2c3b', timestamp: '2024-01-15T10:00:00Z' };
    const ingest = await t.post('/api/v1/events', { events: [event] }, null, conflicting());
    expect(ingest.status).toBe(400);
    const listed = await (await t.get('/api/v1/sessions', key)).json();
    expect(listed.data.total).toBe(0);
  });

  it('the same key in both headers, or a non-Bearer Authorization beside X-API-Key, is admitted', async () => {
    expect((await t.get('/api/v1/sessions', null, { 'X-API-Key': key, Authorization: `Bearer ${key}` })).status).toBe(200);
    expect((await t.get('/api/v1/sessions', null, { 'X-API-Key': key, Authorization: 'Basic dXNlcjpwYXNz' })).status).toBe(200);
    expect((await t.get('/api/v1/sessions', null, { Authorization: `Bearer ${key}` })).status).toBe(200);
  });
});
