// Automatic persisted queries (Apollo's protocol, issue 16 item 4) on /graphql, spoken raw: a hash alone, then the
// hash with its document, then the hash alone again. The store is this process's memory on SQLite, the database on
// PostgreSQL, Redis when REDIS_URL is set; two gateways on one PostgreSQL database or one Redis share it.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { startGateway, type RunningGateway } from '../src/gateway.js';
import { createLogger } from '../src/log/logger.js';
import { available, describeNeeding, type Need } from './support/requirements.js';
import { TEST_ENGINE } from './support/test-database.js';
import { event, SESSION_A, startTestGateway, type GraphQLBody, type TestGateway } from './support/test-gateway.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const persisted = (hash: string) => ({ persistedQuery: { version: 1, sha256Hash: hash } });

interface Answer {
  status: number;
  cacheControl: string | null;
  body: GraphQLBody;
}

async function answerOf(response: Response): Promise<Answer> {
  return { status: response.status, cacheControl: response.headers.get('cache-control'), body: (await response.json()) as GraphQLBody };
}

/** What Apollo's link sends: POST with the extension, the query only when asked to include it. */
async function post(url: string, body: Record<string, unknown>, key: string | null): Promise<Answer> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...(key ? { 'x-api-key': key } : {}) },
    body: JSON.stringify(body),
  });
  return answerOf(response);
}

/** The link's `useGETForHashedQueries`: the hash alone in the query string. */
async function get(url: string, hash: string, key: string | null): Promise<Answer> {
  const search = new URLSearchParams({ extensions: JSON.stringify(persisted(hash)) });
  const response = await fetch(`${url}/graphql?${search}`, { headers: { accept: 'application/json', ...(key ? { 'x-api-key': key } : {}) } });
  return answerOf(response);
}

function expectNotFound(answer: Answer): void {
  expect(answer.status).toBe(200);
  expect(answer.body.data).toBeUndefined();
  expect(answer.body.errors).toEqual([{ message: 'PersistedQueryNotFound', extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } }]);
  expect(answer.cacheControl).toBe('private, no-cache, must-revalidate');
}

const TOTAL = 'query Total { sessions { total } }';

describe('automatic persisted queries', () => {
  let t: TestGateway;
  let key: string;
  beforeAll(async () => {
    t = await startTestGateway();
    key = await t.key();
    expect((await t.post('/api/v1/events', { events: [event('session_start', SESSION_A, '2026-11-29T08:00:00Z')] }, key)).status).toBe(200);
  });
  afterAll(() => t?.close());

  it('answers a hash it does not hold with PERSISTED_QUERY_NOT_FOUND, 200 and uncached, over POST and GET', async () => {
    const hash = sha256('{ sessions { total limit } }');
    expectNotFound(await post(t.url, { extensions: persisted(hash) }, key));
    expectNotFound(await get(t.url, hash, key));
    expectNotFound(await post(t.url, { extensions: persisted(hash) }, null));
  });

  it('runs a hash sent with its query, stores it, and then runs the hash alone over POST and GET', async () => {
    const hash = sha256(TOTAL);
    expectNotFound(await post(t.url, { extensions: persisted(hash) }, key));
    const registered = await post(t.url, { query: TOTAL, extensions: persisted(hash) }, key);
    expect(registered).toMatchObject({ status: 200, body: { data: { sessions: { total: 1 } } } });
    expect(await post(t.url, { extensions: persisted(hash), operationName: 'Total' }, key)).toMatchObject({ status: 200, body: { data: { sessions: { total: 1 } } } });
    expect(await get(t.url, hash, key)).toMatchObject({ status: 200, body: { data: { sessions: { total: 1 } } } });
    // The stored document is the one sent: any caller may run it by its hash, and the key decides what it reads.
    const anonymous = await post(t.url, { extensions: persisted(hash) }, null);
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
  });

  it('refuses with 400 a hash that is not the sha256 of the query sent with it, and stores nothing', async () => {
    const claimed = sha256('{ sessions { limit } }');
    const answer = await post(t.url, { query: '{ sessions { offset } }', extensions: persisted(claimed) }, key);
    expect(answer.status).toBe(400);
    expect(answer.body.errors?.[0]?.extensions?.['code']).toBe('VALIDATION_ERROR');
    expect(answer.body.errors?.[0]?.message).toMatch(/not the sha256 of the query/);
    expectNotFound(await post(t.url, { extensions: persisted(claimed) }, key));
  });

  it.each([
    ['another version', { persistedQuery: { version: 2, sha256Hash: sha256(TOTAL) } }, /version.*1/],
    ['no hash', { persistedQuery: { version: 1 } }, /sha256Hash/],
    ['a hash that is not hexadecimal sha256', persisted('not-a-hash'), /64 hexadecimal digits/],
  ])('refuses a persistedQuery extension with %s with 400 naming it', async (_name, extensions, message) => {
    const answer = await post(t.url, { extensions }, key);
    expect(answer.status).toBe(400);
    expect(answer.body.errors?.[0]?.extensions?.['code']).toBe('VALIDATION_ERROR');
    expect(answer.body.errors?.[0]?.message).toMatch(message);
  });

  it('runs the query of a caller without a key but does not store it', async () => {
    const query = '{ __typename }';
    const hash = sha256(query);
    expect(await post(t.url, { query, extensions: persisted(hash) }, null)).toMatchObject({ status: 200, body: { data: { __typename: 'Query' } } });
    expectNotFound(await post(t.url, { extensions: persisted(hash) }, null));
    expectNotFound(await post(t.url, { extensions: persisted(hash) }, key));
  });

  it('does not store a document that fails validation or the limits', async () => {
    for (const query of ['{ sessions { nope } }', `{ ${'__typename '.repeat(2001)}}`]) {
      const hash = sha256(query);
      const answer = await post(t.url, { query, extensions: persisted(hash) }, key);
      expect(answer.body.data).toBeUndefined();
      expect(answer.body.errors?.[0]?.extensions?.['code']).toBe('VALIDATION_ERROR');
      expectNotFound(await post(t.url, { extensions: persisted(hash) }, key));
    }
  });

  it('runs a stored mutation from its hash, and refuses it over GET', async () => {
    const mutation = 'mutation($e: [EventInput!]!) { ingestEvents(events: $e) { accepted } }';
    const hash = sha256(mutation);
    const variables = (at: string) => ({ e: [{ eventType: 'prompt_submit', sessionId: SESSION_A, timestamp: at }] });
    expect(await post(t.url, { query: mutation, variables: variables('2026-11-29T08:01:00Z'), extensions: persisted(hash) }, key))
      .toMatchObject({ status: 200, body: { data: { ingestEvents: { accepted: 1 } } } });
    expect(await post(t.url, { variables: variables('2026-11-29T08:02:00Z'), extensions: persisted(hash) }, key))
      .toMatchObject({ status: 200, body: { data: { ingestEvents: { accepted: 1 } } } });
    expect((await get(t.url, hash, key)).status).toBe(405);
  });
});

// Each store keeps the bounds itself: this process's memory (SQLite), PostgreSQL, Redis (its keys expire in Redis's own
// time, so the TTL is read there, not from the gateway's clock).
const boundedStores: { name: string; need: Need[]; env: () => Record<string, string>; clockExpires: boolean }[] = [
  { name: TEST_ENGINE === 'postgres' ? 'PostgreSQL' : 'memory', need: [], env: () => ({}), clockExpires: true },
  ...(TEST_ENGINE === 'sqlite'
    ? [{ name: 'Redis', need: ['redis' as const], env: () => ({ REDIS_URL: available('redis')!, TRENCHCOAT_REDIS_CHANNEL: `tc_apq_${process.pid}_${Date.now()}` }), clockExpires: false }]
    : []),
];

for (const store of boundedStores) describeNeeding(store.need, `the bounds of the persisted-query store (${store.name})`, () => {
  let t: TestGateway;
  let key: string;
  let clock = Date.parse('2026-12-01T00:00:00Z');
  beforeAll(async () => {
    t = await startTestGateway({
      now: () => clock,
      env: { ...store.env(), TRENCHCOAT_PERSISTED_QUERIES_MAX: '2', TRENCHCOAT_PERSISTED_QUERY_MAX_BYTES: '40', TRENCHCOAT_PERSISTED_QUERIES_TTL_SECONDS: '60' },
    });
    key = await t.key();
  });
  afterAll(() => t?.close());

  async function register(query: string): Promise<string> {
    const hash = sha256(query);
    expect((await post(t.url, { query, extensions: persisted(hash) }, key)).status).toBe(200);
    clock += 1;
    return hash;
  }

  const runs = async (hash: string) => (await post(t.url, { extensions: persisted(hash) }, key)).body.data !== undefined;

  it('keeps at most TRENCHCOAT_PERSISTED_QUERIES_MAX documents: a third pushes out the oldest', async () => {
    const [a, b, c] = [await register('{ a: __typename }'), await register('{ b: __typename }'), await register('{ c: __typename }')];
    expect([await runs(c), await runs(b), await runs(a)]).toEqual([true, true, false]);
  });

  it('runs a document longer than TRENCHCOAT_PERSISTED_QUERY_MAX_BYTES without storing it', async () => {
    const long = `{ ${'x'.repeat(40)}: __typename }`;
    const short = '{ y: __typename }';
    expect(await runs(await register(long))).toBe(false);
    expect(await runs(await register(short))).toBe(true);
  });

  it.skipIf(!store.clockExpires)('forgets a document TRENCHCOAT_PERSISTED_QUERIES_TTL_SECONDS after it was stored', async () => {
    const hash = await register('{ z: __typename }');
    clock += 59_000;
    expect(await runs(hash)).toBe(true);
    clock += 1_000;
    expect(await runs(hash)).toBe(false);
  });
});

/** A second gateway on the first one's database, in this process: its own store object, its own memory. */
async function secondGateway(t: TestGateway, env: Record<string, string>): Promise<RunningGateway> {
  const config = loadConfig({ port: '0', host: '127.0.0.1', db: t.dbPath }, { TRENCHCOAT_ANONYMOUS_REQUESTS_PER_MINUTE: '1000000', ...env });
  return startGateway(config, { logger: createLogger('silent') });
}

// PostgreSQL holds the documents on its own (PGlite serves one connection only); on SQLite only Redis can share them.
const shared = TEST_ENGINE === 'postgres' ? { need: 'postgres' as const, by: 'PostgreSQL' } : { need: 'redis' as const, by: 'Redis' };
describeNeeding(shared.need, `two gateways share persisted queries through ${shared.by}`, () => {
  let t: TestGateway;
  let other: RunningGateway;
  let key: string;
  beforeAll(async () => {
    // Each run its own Redis prefix: test files sharing the server must not see each other's documents.
    const env: Record<string, string> = shared.need === 'redis' ? { REDIS_URL: available('redis')!, TRENCHCOAT_REDIS_CHANNEL: `tc_apq_${process.pid}_${Date.now()}` } : {};
    t = await startTestGateway({ env });
    other = await secondGateway(t, env);
    key = await t.key();
  });
  afterAll(async () => {
    await other?.close();
    await t?.close();
  });

  it('a document registered through one runs from its hash alone through the other, both ways', async () => {
    const here = '{ here: __typename }';
    const there = '{ there: __typename }';
    expectNotFound(await post(other.url, { extensions: persisted(sha256(here)) }, key));
    expect((await post(t.url, { query: here, extensions: persisted(sha256(here)) }, key)).status).toBe(200);
    expect(await post(other.url, { extensions: persisted(sha256(here)) }, key)).toMatchObject({ status: 200, body: { data: { here: 'Query' } } });
    expect((await post(other.url, { query: there, extensions: persisted(sha256(there)) }, key)).status).toBe(200);
    expect(await get(t.url, sha256(there), key)).toMatchObject({ status: 200, body: { data: { there: 'Query' } } });
  });
});

describe.skipIf(TEST_ENGINE !== 'sqlite')('two gateways on one SQLite file without Redis', () => {
  let t: TestGateway;
  let other: RunningGateway;
  beforeAll(async () => {
    t = await startTestGateway();
    other = await secondGateway(t, {});
  });
  afterAll(async () => {
    await other?.close();
    await t?.close();
  });

  it('each keep their own documents in memory', async () => {
    const key = await t.key();
    const query = '{ mine: __typename }';
    expect((await post(t.url, { query, extensions: persisted(sha256(query)) }, key)).status).toBe(200);
    expect((await post(t.url, { extensions: persisted(sha256(query)) }, key)).body.data).toEqual({ mine: 'Query' });
    expectNotFound(await post(other.url, { extensions: persisted(sha256(query)) }, key));
  });
});
