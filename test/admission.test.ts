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
