import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { event, SESSION_A, startTestGateway, type TestGateway } from './support/test-gateway.js';

// /healthz answers 200 while the process serves; /readyz 200 when the database answers,
// else 503. A database that cannot be reached is 503 UNAVAILABLE, never a 500; no key is needed
// for either probe.

const UNAVAILABLE_CODE = 'UNAVAILABLE';

describe('health and readiness', () => {
  let t: TestGateway;
  let key: string;
  beforeAll(async () => {
    t = await startTestGateway();
    key = await t.key();
  });
  afterAll(() => t.close());

  it('answers /healthz and /readyz with 200 without a key while the database answers', async () => {
    for (const path of ['/healthz', '/readyz']) {
      const response = await t.get(path);
      expect(response.status, path).toBe(200);
      expect(response.headers.get('x-request-id'), path).toBeTruthy();
      await response.arrayBuffer();
    }
  });

  it('does not ask for a key even when a bad one is sent', async () => {
    for (const path of ['/healthz', '/readyz']) {
      const response = await t.get(path, `ct_live_${'0'.repeat(32)}`);
      expect(response.status, path).toBe(200);
      await response.arrayBuffer();
    }
  });
});

describe('when the database cannot be reached', () => {
  let t: TestGateway;
  let key: string;
  beforeAll(async () => {
    t = await startTestGateway();
    key = await t.key();
    const stored = await t.post('/api/v1/events', { events: [event('session_start', SESSION_A, '2024-01-15T10:30:00Z')] }, key);
    expect(stored.status).toBe(200);
    expect((await t.get('/readyz')).status).toBe(200);
    await t.gateway.database.close();
  });
  afterAll(() => t.close());

  it('answers /readyz with 503 and /healthz still with 200', async () => {
    const ready = await t.get('/readyz');
    expect(ready.status).toBe(503);
    expect(ready.headers.get('x-request-id')).toBeTruthy();
    await ready.arrayBuffer();
    const health = await t.get('/healthz');
    expect(health.status).toBe(200);
    await health.arrayBuffer();
  });

  it('answers GET /api/v1/sessions with 503 UNAVAILABLE, not 500', async () => {
    const response = await t.get('/api/v1/sessions?limit=5', key, { 'x-request-id': 'ops-check-1' });
    expect(response.status).toBe(503);
    expect(response.headers.get('x-request-id')).toBe('ops-check-1');
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(Object.keys(body)).toEqual(['error']);
    expect(body.error.code).toBe(UNAVAILABLE_CODE);
    expect(typeof body.error.message).toBe('string');
    expect(JSON.stringify(body)).not.toMatch(/destroyed|driver|sqlite|stack|\.ts:/i);
  });

  it('answers POST /api/v1/events with 503 UNAVAILABLE, not 500', async () => {
    const response = await t.post('/api/v1/events', { events: [event('session_end', SESSION_A, '2024-01-15T11:00:00Z')] }, key);
    expect(response.status).toBe(503);
    const body = (await response.json()) as { error: { code: string } };
    expect(body.error.code).toBe(UNAVAILABLE_CODE);
  });
  it('answers GraphQL with extensions.code UNAVAILABLE and HTTP 503, not a masked 500', async () => {
    const { status, body } = await t.graphql('{ sessions { total } }', {}, key);
    expect(status).toBe(503);
    expect(body.errors?.map((e) => e.extensions?.['code'])).toEqual(['UNAVAILABLE']);
    expect(JSON.stringify(body)).not.toMatch(/destroyed|driver|sqlite|stack|\.ts:/i);
  });
});
