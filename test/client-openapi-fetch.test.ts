// The REST API through openapi-fetch, as a frontend calls it (issue 16, item 9): answers, query parameters, the
// request body and the error envelope (docs/api.md#errors) come through the client as it reads them. The client is
// untyped here; the generated `paths` types are proven elsewhere.
import createClient from 'openapi-fetch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedSessions } from './support/client-support.js';
import { expectErrorEnvelope } from './support/rest-read-helpers.js';
import { event, startTestGateway, type TestGateway } from './support/test-gateway.js';

// openapi-fetch without generated types: every path and answer is `any`.
type Untyped = Record<string, any>;

describe('openapi-fetch against the REST API', () => {
  let t: TestGateway;
  let key: string;
  let ids: string[];
  const client = (apiKey: string | null) =>
    createClient<Untyped>({ baseUrl: t.url, headers: apiKey === null ? {} : { 'X-API-Key': apiKey } });

  beforeAll(async () => {
    t = await startTestGateway();
    key = await t.key({ account: 'openapi-fetch' });
    ids = await seedSessions(t, key, 30);
  });
  afterAll(() => t?.close());

  it('lists sessions with its query parameters serialised as the API reads them', async () => {
    const { data, error, response } = await client(key).GET('/api/v1/sessions', {
      params: { query: { limit: 5, offset: 10, start_date: '2024-01-01T00:05:00Z' } },
    });
    expect(error).toBeUndefined();
    expect(response.status).toBe(200);
    expect(response.headers.get('x-request-id')).toBeTruthy();
    // From the 6th session on (start_date), skip 10: sessions 16 to 20.
    expect(data.data.sessions.map((session: { id: string }) => session.id)).toEqual(ids.slice(15, 20));
    expect(data.data.total).toBe(25);
    expect(data.data.limit).toBe(5);
    expect(data.data.offset).toBe(10);
    expect(Object.keys(data.data.sessions[0])).toEqual(['id', 'started_at', 'ended_at', 'duration_ms', 'event_count', 'tool_invocations']);
  });

  it('lists the newest first with order=desc', async () => {
    const { data, error } = await client(key).GET('/api/v1/sessions', { params: { query: { limit: 3, order: 'desc' } } });
    expect(error).toBeUndefined();
    expect(data.data.sessions.map((session: { id: string }) => session.id)).toEqual(ids.slice(-3).reverse());
  });

  it('posts events as a JSON body and reads the ingestion result', async () => {
    const writer = await t.key({ account: 'openapi-fetch-writer' });
    const sessionId = '7d444840-9dc0-11d1-b245-5ffdce74fad2';
    const { data, error, response } = await client(writer).POST('/api/v1/events', {
      body: {
        events: [
          event('session_start', sessionId, '2024-02-01T10:00:00Z'),
          event('tool_use', sessionId, '2024-02-01T10:01:00Z', { data: { tool_name: 'Read' } }),
          event('tool_use', sessionId, 'yesterday'),
        ],
      },
    });
    expect(error).toBeUndefined();
    expect(response.status).toBe(200);
    expect(data.data).toMatchObject({ accepted: 2, rejected: 1, duplicates: 0 });
    expect(data.data.errors).toEqual([{ index: 2, field: 'events[2].timestamp', message: expect.any(String) }]);

    const overview = await client(writer).GET('/api/v1/analytics/overview', {
      params: { query: { start_date: '2024-02-01', end_date: '2024-02-02' } },
    });
    expect(overview.error).toBeUndefined();
    expect(overview.data.data).toMatchObject({ total_sessions: 1, total_events: 2, total_tool_invocations: 1 });
  });

  it('hands a 400 over as `error`: the envelope naming the bad parameter', async () => {
    const { data, error, response } = await client(key).GET('/api/v1/sessions', { params: { query: { limit: 'many' } } });
    expect(data).toBeUndefined();
    expect(response.status).toBe(400);
    expectErrorEnvelope(error, 'VALIDATION_ERROR', ['limit']);
  });

  it('hands a 401 over as `error` when the key is missing', async () => {
    const { data, error, response } = await client(null).GET('/api/v1/sessions', {});
    expect(data).toBeUndefined();
    expect(response.status).toBe(401);
    expect(error).toEqual({ error: { code: 'UNAUTHORIZED', message: 'Missing or invalid API key.' } });
  });

  it('hands a 403 over as `error` naming the scope the key lacks', async () => {
    const writeOnly = await t.key({ account: 'openapi-fetch', scopes: ['write:events'] });
    const { data, error, response } = await client(writeOnly).GET('/api/v1/sessions', {});
    expect(data).toBeUndefined();
    expect(response.status).toBe(403);
    expect(error).toEqual({ error: { code: 'FORBIDDEN', message: 'This API key does not have the required scope: read:analytics' } });
  });

  it('hands a 400 for a body that breaks the contract over as `error`', async () => {
    const { data, error, response } = await client(key).POST('/api/v1/events', { body: { events: 'none' } });
    expect(data).toBeUndefined();
    expect(response.status).toBe(400);
    expectErrorEnvelope(error, 'VALIDATION_ERROR');
  });

  it('reads the OpenAPI document it could be generated from', async () => {
    const { data, error, response } = await client(null).GET('/api/v1/openapi.json', {});
    expect(error).toBeUndefined();
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(data.openapi).toMatch(/^3\./);
    expect(Object.keys(data.paths)).toEqual(expect.arrayContaining(['/api/v1/sessions', '/api/v1/events', '/api/v1/analytics/overview']));
  });
});
