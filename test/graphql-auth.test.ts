import { getIntrospectionQuery } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { event, SESSION_A, startTestGateway, type GraphQLBody, type TestGateway } from './support/test-gateway.js';

// GraphQL authentication (docs/api.md#authentication-and-keys, docs/api.md#graphql): per request; introspection without a key; UNAUTHENTICATED and
// FORBIDDEN on every data field; unexpected errors masked; an option turns introspection off.

const UNAUTHENTICATED = { message: 'Missing or invalid API key.', code: 'UNAUTHENTICATED' };
const DATA_QUERY = `{ sessions { total nodes { id } } session(id: "${SESSION_A}") { id } }`;
const INGEST_MUTATION = `mutation { ingestEvents(events: [{ eventType: "session_start", sessionId: "${SESSION_A}",
  timestamp: "2024-01-15T10:30:00Z" }]) { accepted rejected duplicates } }`;

function errorSummary(body: GraphQLBody) {
  return (body.errors ?? []).map((e) => ({ message: e.message, code: e.extensions?.['code'], path: e.path }));
}

describe('GraphQL authentication and authorization', () => {
  let t: TestGateway;
  let fullKey: string;
  let revokedKey: string;
  const badKeys: [string, string | null][] = [];

  beforeAll(async () => {
    t = await startTestGateway();
    fullKey = await t.key();
    const revoked = await t.gateway.keys.create({ account: 'acme', scopes: ['read:analytics', 'write:events'] });
    await t.gateway.keys.revoke(revoked.id);
    revokedKey = revoked.key;
    badKeys.push(
      ['no key', null],
      ['a malformed key', 'not-a-key'],
      ['a key with upper-case letters', `ct_live_${'A'.repeat(32)}`],
      ['a too-short key', 'ct_live_abc'],
      ['an unknown well-formed key', `ct_live_${'0'.repeat(32)}`],
      ['a revoked key', revokedKey],
    );
    const stored = await t.post('/api/v1/events', { events: [event('session_start', SESSION_A, '2024-01-15T10:30:00Z')] }, fullKey);
    expect(stored.status).toBe(200);
  });
  afterAll(() => t.close());

  it('runs the full GraphiQL introspection query without a key, or with any bad key', async () => {
    for (const [name, key] of badKeys) {
      const { status, body } = await t.graphql(getIntrospectionQuery({ descriptions: true, inputValueDeprecation: true }), {}, key);
      expect(status, name).toBe(200);
      expect(body.errors, name).toBeUndefined();
      const schema = body.data!['__schema'];
      expect(schema.queryType.name).toBe('Query');
      const typeNames = (schema.types as { name: string }[]).map((ty) => ty.name);
      expect(typeNames).toEqual(expect.arrayContaining(['Session', 'SessionConnection', 'PageInfo', 'SessionEdge', 'DateTime', 'SafeInt']));
    }
  });

  it('fails every data field with UNAUTHENTICATED, with the same answer for every kind of bad key', async () => {
    let first: GraphQLBody | undefined;
    for (const [name, key] of badKeys) {
      const { status, body } = await t.graphql(DATA_QUERY, {}, key);
      expect(status, name).toBe(401);
      expect(body.data, name).toEqual({ sessions: null, session: null });
      expect(errorSummary(body).sort((a, b) => String(a.path).localeCompare(String(b.path))), name).toEqual([
        { ...UNAUTHENTICATED, path: ['session'] },
        { ...UNAUTHENTICATED, path: ['sessions'] },
      ]);
      first ??= body;
      expect(body, name).toEqual(first);
    }
  });

  it('fails the ingestEvents mutation with UNAUTHENTICATED and stores nothing', async () => {
    const other = '6ba7b810-9dad-11d1-80b4-00c04fd430c8';
    for (const [name, key] of badKeys) {
      const { body } = await t.graphql(INGEST_MUTATION.replace(SESSION_A, other), {}, key);
      expect(body.data, name).toEqual({ ingestEvents: null });
      expect(errorSummary(body), name).toEqual([{ ...UNAUTHENTICATED, path: ['ingestEvents'] }]);
    }
    const check = await t.graphql(`{ session(id: "${other}") { id } }`, {}, fullKey);
    expect(check.body).toEqual({ data: { session: null } });
  });

  it('answers introspection and fails the data field in one request without a key', async () => {
    const { body } = await t.graphql('{ __typename __schema { queryType { name } } sessions { total } }', {}, null);
    expect(body.data).toEqual({ __typename: 'Query', __schema: { queryType: { name: 'Query' } }, sessions: null });
    expect(errorSummary(body)).toEqual([{ ...UNAUTHENTICATED, path: ['sessions'] }]);
  });

  it('ignores a key in the query string', async () => {
    const query = encodeURIComponent('{ sessions { total } }');
    for (const param of ['api_key', 'key', 'x-api-key', 'apiKey']) {
      const response = await fetch(`${t.url}/graphql?query=${query}&${param}=${fullKey}`, { headers: { accept: 'application/json' } });
      const body = (await response.json()) as GraphQLBody;
      expect(errorSummary(body), param).toEqual([{ ...UNAUTHENTICATED, path: ['sessions'] }]);
    }
  });

  it('accepts the key as X-API-Key or Authorization: Bearer', async () => {
    for (const headers of [{ 'X-API-Key': fullKey }, { authorization: `Bearer ${fullKey}` }] as Record<string, string>[]) {
      const response = await fetch(`${t.url}/graphql`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ query: '{ sessions { total } }' }),
      });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ data: { sessions: { total: 1 } } });
    }
  });

  it('refuses a key once it is revoked, on the next request', async () => {
    const created = await t.gateway.keys.create({ account: 'acme', scopes: ['read:analytics'] });
    expect((await t.graphql('{ sessions { total } }', {}, created.key)).body).toEqual({ data: { sessions: { total: 1 } } });
    await t.gateway.keys.revoke(created.id);
    const { body } = await t.graphql('{ sessions { total } }', {}, created.key);
    expect(errorSummary(body)).toEqual([{ ...UNAUTHENTICATED, path: ['sessions'] }]);
  });

  it('fails read fields with FORBIDDEN for a key without read:analytics', async () => {
    const writeOnly = await t.key({ scopes: ['write:events'] });
    const { status, body } = await t.graphql(DATA_QUERY, {}, writeOnly);
    expect(status).toBe(403);
    expect(body.data).toEqual({ sessions: null, session: null });
    const forbidden = { message: 'This API key does not have the required scope: read:analytics', code: 'FORBIDDEN' };
    expect(errorSummary(body).sort((a, b) => String(a.path).localeCompare(String(b.path)))).toEqual([
      { ...forbidden, path: ['session'] },
      { ...forbidden, path: ['sessions'] },
    ]);
    // Introspection still works for it.
    const intro = await t.graphql('{ __schema { queryType { name } } }', {}, writeOnly);
    expect(intro.body).toEqual({ data: { __schema: { queryType: { name: 'Query' } } } });
  });

  it('fails FORBIDDEN before judging the arguments', async () => {
    const writeOnly = await t.key({ scopes: ['write:events'] });
    const { body } = await t.graphql('{ sessions(limit: 0, offset: -1) { total } }', {}, writeOnly);
    expect(errorSummary(body)).toEqual([
      { message: 'This API key does not have the required scope: read:analytics', code: 'FORBIDDEN', path: ['sessions'] },
    ]);
    const anonymous = await t.graphql('{ sessions(limit: 0, startDate: "2024-02-01", endDate: "2024-01-01") { total } }', {}, null);
    expect(errorSummary(anonymous.body)).toEqual([{ ...UNAUTHENTICATED, path: ['sessions'] }]);
  });

  it('fails ingestEvents with FORBIDDEN for a key without write:events', async () => {
    const readOnly = await t.key({ scopes: ['read:analytics'] });
    const { body } = await t.graphql(INGEST_MUTATION, {}, readOnly);
    expect(body.data).toEqual({ ingestEvents: null });
    expect(errorSummary(body)).toEqual([
      { message: 'This API key does not have the required scope: write:events', code: 'FORBIDDEN', path: ['ingestEvents'] },
    ]);
  });
});

describe('GraphQL unexpected errors', () => {
  it('are masked: no stack, no driver or SQL text', async () => {
    const t = await startTestGateway();
    try {
      const key = await t.key();
      expect((await t.graphql('{ sessions { total } }', {}, key)).body).toEqual({ data: { sessions: { total: 0 } } });
      // The database going away is not something the client did; the error must not leak internals.
      await t.gateway.database.close();
      const response = await fetch(`${t.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', 'x-api-key': key },
        body: JSON.stringify({ query: '{ sessions { total } }' }),
      });
      const text = await response.text();
      const body = JSON.parse(text) as GraphQLBody;
      expect(body.errors?.length).toBeGreaterThan(0);
      expect(body.data?.['sessions'] ?? null).toBeNull();
      for (const error of body.errors!) {
        expect(Object.keys(error.extensions ?? {})).not.toContain('stack');
        expect(Object.keys(error.extensions ?? {})).not.toContain('originalError');
        expect(Object.keys(error)).not.toContain('stack');
      }
      expect(text).not.toMatch(/stack|destroyed|driver|sqlite|select |\.ts:|node_modules|at [A-Za-z]/i);
    } finally {
      await t.close();
    }
  });
});

describe('TRENCHCOAT_INTROSPECTION=false', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway({ env: { TRENCHCOAT_INTROSPECTION: 'false' } });
  });
  afterAll(() => t.close());

  it('rejects __schema and __type, with or without a key', async () => {
    const key = await t.key();
    for (const k of [null, key]) {
      for (const query of [getIntrospectionQuery(), '{ __schema { queryType { name } } }', '{ __type(name: "Session") { name } }']) {
        const { body } = await t.graphql(query, {}, k);
        expect(body.errors?.length, query).toBeGreaterThan(0);
        expect(body.data?.['__schema'] ?? null).toBeNull();
        expect(body.data?.['__type'] ?? null).toBeNull();
      }
    }
  });

  it('still serves data fields to a valid key', async () => {
    const key = await t.key();
    const { status, body } = await t.graphql('{ sessions { total } }', {}, key);
    expect(status).toBe(200);
    expect(body).toEqual({ data: { sessions: { total: 0 } } });
  });
});
