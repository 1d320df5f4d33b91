// No caller without a valid key can make the gateway hold more than a small budget (hardening, issue 15): its
// body is small (64 KiB, refused before it is read), it is counted per client address (120 a minute by
// default, /healthz and /readyz aside), a GraphQL body is parsed once, and connections have a ceiling.
import { connect, type Socket } from 'node:net';
import { getIntrospectionQuery } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SETTINGS } from '../src/config.js';
import { openRequest } from './support/open-request.js';
import { available, describeNeeding } from './support/requirements.js';
import { expectErrorEnvelope, rawRequest } from './support/rest-read-helpers.js';
import { startTestGateway, type TestGateway } from './support/test-gateway.js';

const ANONYMOUS_LIMIT = 64 * 1024;
const JSON_HEADERS = { 'Content-Type': 'application/json', Accept: 'application/json' };

/** A GraphQL body of exactly `bytes` bytes: `{ __typename }` with a padding variable. */
function paddedQuery(bytes: number): string {
  const shell = '{"query":"{ __typename }","variables":{"pad":""}}';
  return shell.replace('"pad":""', `"pad":"${'x'.repeat(bytes - shell.length)}"`);
}

describe('the body of a request without a valid key', () => {
  let t: TestGateway;
  let key: string;
  beforeAll(async () => {
    t = await startTestGateway();
    key = await t.key();
  });
  afterAll(() => t.close());

  const post = (body: string, headers: Record<string, string>, chunked = false) =>
    rawRequest(`${t.url}/graphql`, { method: 'POST', headers: { ...JSON_HEADERS, ...headers }, body, chunked });

  it('may be 64 KiB; one byte more is 413 PAYLOAD_TOO_LARGE in GraphQL errors, declared or chunked, for no key, an unknown key and a revoked key', async () => {
    const revoked = await t.gateway.keys.create({ account: 'acme', scopes: ['read:analytics'], tier: 'unlimited' });
    await t.gateway.keys.revoke(revoked.id);
    const presented: Record<string, string>[] = [{}, { 'X-API-Key': `ct_live_${'0'.repeat(32)}` }, { 'X-API-Key': revoked.key }];
    for (const headers of presented) {
      expect((await post(paddedQuery(ANONYMOUS_LIMIT), headers)).status).toBe(200);
      for (const chunked of [false, true]) {
        const refused = await post(paddedQuery(ANONYMOUS_LIMIT + 1), headers, chunked);
        expect(refused.status, JSON.stringify({ headers, chunked })).toBe(413);
        expect(JSON.parse(refused.text)).toEqual({
          errors: [{ message: `Request body exceeds the limit of ${ANONYMOUS_LIMIT} bytes for a request without a valid API key.`, extensions: { code: 'PAYLOAD_TOO_LARGE' } }],
        });
      }
    }
  });

  it('is refused from its Content-Length, before any of it is sent', async () => {
    const open = await openRequest(t.url, 'POST', '/graphql', { ...JSON_HEADERS, 'Content-Length': 5 * 1024 * 1024 - 1 });
    const answer = await open.answer;
    open.abort();
    expect(answer.status).toBe(413);
    expect(answer.json.errors[0].extensions.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('with a valid key, the same bodies are served (the keyed limit is 5 MiB)', async () => {
    const served = await post(paddedQuery(ANONYMOUS_LIMIT * 4), { 'X-API-Key': key });
    expect(served.status).toBe(200);
    expect(JSON.parse(served.text)).toEqual({ data: { __typename: 'Query' } });
  });

  it("fits GraphiQL's introspection query with room to spare", async () => {
    const body = JSON.stringify({ query: getIntrospectionQuery(), operationName: 'IntrospectionQuery' });
    expect(body.length).toBeLessThan(ANONYMOUS_LIMIT / 16);
    const served = await post(body, {});
    expect(served.status).toBe(200);
    expect(JSON.parse(served.text).data.__schema.queryType.name).toBe('Query');
  });
});

describe('a GraphQL body is parsed once', () => {
  let t: TestGateway;
  let key: string;
  beforeAll(async () => {
    t = await startTestGateway();
    key = await t.key();
  });
  afterAll(() => t.close());

  /** How many times the gateway (in this process) ran JSON.parse on exactly `body` while answering it. */
  async function parsesOf(body: string, presented: string | null): Promise<{ parses: number; status: number; json: any }> {
    const original = JSON.parse;
    let parses = 0;
    JSON.parse = ((text: string, reviver?: Parameters<typeof JSON.parse>[1]) => {
      if (text === body) parses++;
      return original.call(JSON, text, reviver);
    }) as typeof JSON.parse;
    try {
      const answer = await rawRequest(`${t.url}/graphql`, { method: 'POST', headers: { ...JSON_HEADERS, ...(presented ? { 'X-API-Key': presented } : {}) }, body });
      return { parses, status: answer.status, json: original(answer.text) };
    } finally {
      JSON.parse = original;
    }
  }

  it('a query the fast path answers', async () => {
    const answer = await parsesOf(JSON.stringify({ query: '{ sessions { total } }' }), key);
    expect(answer).toEqual({ parses: 1, status: 200, json: { data: { sessions: { total: 0 } } } });
  });

  it('a mutation, which the fast path declines and Yoga answers', async () => {
    const mutation = 'mutation { ingestEvents(events: [{ eventType: "session_start", sessionId: "550e8400-e29b-41d4-a716-446655440000", timestamp: "2024-01-15T10:30:00Z" }]) { accepted } }';
    const answer = await parsesOf(JSON.stringify({ query: mutation }), key);
    expect(answer).toEqual({ parses: 1, status: 200, json: { data: { ingestEvents: { accepted: 1 } } } });
  });

  it('an anonymous query with an unknown parameter, refused by Yoga as before', async () => {
    const answer = await parsesOf(JSON.stringify({ query: '{ __typename }', deep: [[[1]]] }), null);
    expect(answer.parses).toBe(1);
    expect(answer.status).toBe(400);
    expect(answer.json.errors[0]).toMatchObject({ message: 'Unexpected parameter "deep" in the request body.', extensions: { code: 'VALIDATION_ERROR' } });
  });

  it('a body that is not JSON, or not an object, is refused in Yoga\'s words with VALIDATION_ERROR', async () => {
    for (const [body, message] of [
      ['{"query": ', 'POST body sent invalid JSON.'],
      ['', 'POST body sent invalid JSON.'],
      ['null', 'POST body is expected to be object but received null'],
      ['42', 'POST body is expected to be object but received number'],
      ['[{"query":"{ __typename }"}]', 'Batching is not supported: send one operation per request, not a JSON array.'],
    ] as const) {
      const answer = await parsesOf(body, null);
      expect(answer.status, body).toBe(400);
      expect(answer.json.errors, body).toEqual([expect.objectContaining({ message, extensions: expect.objectContaining({ code: 'VALIDATION_ERROR' }) })]);
    }
  });
});

describe('requests without a valid key, counted per client', () => {
  const LIMIT = 5;
  let t: TestGateway;
  let key: string;
  let revoked: string;
  let clock = Date.parse('2024-06-01T12:00:10Z');
  beforeAll(async () => {
    t = await startTestGateway({ now: () => clock, env: { TRENCHCOAT_ANONYMOUS_REQUESTS_PER_MINUTE: String(LIMIT) } });
    key = await t.key();
    const created = await t.gateway.keys.create({ account: 'acme', scopes: ['read:analytics'], tier: 'unlimited' });
    await t.gateway.keys.revoke(created.id);
    revoked = created.key;
  });
  afterAll(() => t.close());

  const introspect = () => rawRequest(`${t.url}/graphql`, { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify({ query: '{ __typename }' }) });

  it('anonymous GraphQL, unknown and revoked keys, the API description and its page share the limit; past it 429 RATE_LIMITED with Retry-After, in each route\'s shape', async () => {
    const counted = [
      introspect(),
      rawRequest(`${t.url}/api/v1/sessions`, { headers: { 'X-API-Key': `ct_live_${'0'.repeat(32)}` } }),
      rawRequest(`${t.url}/api/v1/sessions`, { headers: { 'X-API-Key': revoked } }),
      rawRequest(`${t.url}/api/v1/openapi.json`),
      rawRequest(`${t.url}/api/v1/docs`),
    ];
    expect((await Promise.all(counted)).map((r) => r.status)).toEqual([200, 401, 401, 200, 200]);
    // Load balancers' probes are never counted.
    for (let i = 0; i < 3 * LIMIT; i++) {
      expect((await rawRequest(`${t.url}/healthz`)).status).toBe(200);
      expect((await rawRequest(`${t.url}/readyz`)).status).toBe(200);
    }

    const graphql = await introspect();
    expect(graphql.status).toBe(429);
    expect(graphql.headers['retry-after']).toBe('50');
    expect(JSON.parse(graphql.text)).toEqual({ errors: [{ message: 'Rate limit exceeded. Retry after 50 seconds.', extensions: { code: 'RATE_LIMITED' } }] });

    for (const path of ['/api/v1/sessions', '/api/v1/openapi.json', '/api/v1/docs']) {
      const rest = await rawRequest(`${t.url}${path}`);
      expect(rest.status, path).toBe(429);
      expect(rest.headers['retry-after']).toBe('50');
      expectErrorEnvelope(JSON.parse(rest.text), 'RATE_LIMITED');
    }
  });

  it('a valid key is counted against its own tier, never the client\'s', async () => {
    for (let i = 0; i < 2 * LIMIT; i++) expect((await t.get('/api/v1/sessions', key)).status).toBe(200);
    expect((await t.graphql('{ sessions { total } }', undefined, key)).status).toBe(200);
  });

  it('the next minute starts afresh', async () => {
    clock += 60_000;
    expect((await introspect()).status).toBe(200);
  });

  it('X-Forwarded-For is not believed unless TRENCHCOAT_TRUSTED_PROXIES says so', async () => {
    clock += 60_000;
    const spoofed = (i: number) => rawRequest(`${t.url}/api/v1/openapi.json`, { headers: { 'X-Forwarded-For': `203.0.113.${i}` } });
    const statuses = [];
    for (let i = 0; i <= LIMIT; i++) statuses.push((await spoofed(i)).status);
    expect(statuses).toEqual([...Array(LIMIT).fill(200), 429]);
  });
});

describe('behind TRENCHCOAT_TRUSTED_PROXIES=1', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway({ env: { TRENCHCOAT_ANONYMOUS_REQUESTS_PER_MINUTE: '2', TRENCHCOAT_TRUSTED_PROXIES: '1' } });
  });
  afterAll(() => t.close());

  const via = (forwardedFor?: string) =>
    rawRequest(`${t.url}/api/v1/openapi.json`, { headers: forwardedFor === undefined ? {} : { 'X-Forwarded-For': forwardedFor } });

  it('counts the address the proxy appended, whatever the client wrote before it; IPv6 by its /64', async () => {
    expect((await via('198.51.100.7')).status).toBe(200);
    expect((await via('10.0.0.1, 198.51.100.7')).status).toBe(200);
    expect((await via('10.0.0.2, 198.51.100.7')).status).toBe(429);
    expect((await via('198.51.100.8')).status).toBe(200);
    expect((await via('2001:db8:1:2::1')).status).toBe(200);
    expect((await via('2001:db8:1:2:ffff::9')).status).toBe(200);
    expect((await via('2001:db8:1:2::77')).status).toBe(429);
    expect((await via('2001:db8:1:3::1')).status).toBe(200);
  });

  it('a request that did not come through the proxy counts as its connection', async () => {
    expect((await via()).status).toBe(200);
    expect((await via('')).status).toBe(200);
    expect((await via()).status).toBe(429);
  });
});

describeNeeding('redis', 'two gateways sharing Redis share the count of a client without a key', () => {
  const gateways: TestGateway[] = [];
  beforeAll(async () => {
    const env = { REDIS_URL: available('redis')!, TRENCHCOAT_REDIS_CHANNEL: `tc_anon_${process.pid}_${Date.now()}`, TRENCHCOAT_ANONYMOUS_REQUESTS_PER_MINUTE: '4' };
    gateways.push(await startTestGateway({ env }), await startTestGateway({ env }));
  });
  afterAll(async () => {
    for (const t of gateways) await t.close();
  });

  it('four requests spread over both use it up; the fifth is refused by either', async () => {
    // A window may turn over between requests: then the count starts again, so retry the whole round once.
    for (let round = 0; round < 2; round++) {
      const statuses = [];
      for (let i = 0; i < 6; i++) statuses.push((await rawRequest(`${gateways[i % 2]!.url}/api/v1/openapi.json`)).status);
      if (statuses.join() === '200,200,200,200,429,429') return;
      await new Promise((resolve) => setTimeout(resolve, 60_000 - (Date.now() % 60_000) + 50));
    }
    expect.unreachable('the fifth request was not refused');
  }, 150_000);
});

describe('GraphiQL with the default limits', () => {
  let t: TestGateway;
  beforeAll(async () => {
    // Named, not left to the default: test gateways may raise it for specs that make many keyless requests.
    t = await startTestGateway({ env: { TRENCHCOAT_ANONYMOUS_REQUESTS_PER_MINUTE: String(SETTINGS.anonymous.requestsPerMinute.default) } });
  });
  afterAll(() => t.close());

  it('twenty page loads, each with its introspection, all served', async () => {
    const introspection = JSON.stringify({ query: getIntrospectionQuery(), operationName: 'IntrospectionQuery' });
    for (let i = 0; i < 20; i++) {
      const page = await rawRequest(`${t.url}/graphql`, { headers: { Accept: 'text/html' } });
      expect(page.status).toBe(200);
      expect((await rawRequest(`${t.url}/graphql`, { method: 'POST', headers: JSON_HEADERS, body: introspection })).status).toBe(200);
    }
  });
});

describe('TRENCHCOAT_MAX_CONNECTIONS', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway({ env: { TRENCHCOAT_MAX_CONNECTIONS: '3' } });
  });
  afterAll(() => t.close());

  function connection(): Promise<Socket> {
    const { hostname, port } = new URL(t.url);
    return new Promise((resolve, reject) => {
      const socket = connect(Number(port), hostname, () => resolve(socket));
      socket.once('error', reject);
    });
  }

  /** A keep-alive GET /healthz on `socket`: its status line, or null when the server closed the connection instead. */
  function probe(socket: Socket): Promise<string | null> {
    return new Promise((resolve) => {
      let text = '';
      const onData = (chunk: Buffer) => {
        text += chunk.toString('latin1');
        if (text.includes('\r\n\r\n') && text.endsWith('}')) finish(text.split('\r\n')[0]!);
      };
      const finish = (value: string | null) => {
        socket.off('data', onData);
        resolve(value);
      };
      socket.on('data', onData);
      socket.once('close', () => finish(null));
      socket.on('error', () => {});
      socket.write(`GET /healthz HTTP/1.1\r\nHost: gateway\r\n\r\n`);
    });
  }

  it('closes a connection past the ceiling at once, and takes new ones when others have closed', async () => {
    const held = [await connection(), await connection(), await connection()];
    for (const socket of held) expect(await probe(socket)).toBe('HTTP/1.1 200 OK');
    expect(await probe(await connection())).toBeNull();

    held.pop()!.destroy();
    // The server learns of the close on its next turn: retry until it has (a bounded number of times).
    let status: string | null = null;
    for (let attempt = 0; attempt < 50 && status === null; attempt++) status = await probe(await connection());
    expect(status).toBe('HTTP/1.1 200 OK');
    for (const socket of held) expect(await probe(socket)).toBe('HTTP/1.1 200 OK');
    for (const socket of held) socket.destroy();
  });
});
