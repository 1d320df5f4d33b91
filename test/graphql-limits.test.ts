// docs/api.md#graphql-limits: depth, alias, token and cost limits keep one request from doing
// unbounded work, GraphiQL's own introspection still passes, batches are refused, no field
// suggestions, and a masked error names the request id. Each refusal is checked on the fast path
// (a plain JSON POST, src/graphql/fast-query.ts) and on the paths Yoga answers itself (a GET with
// ?query=, a POST with an Origin), so a limit the fast path skipped would show as a 200.
import { getIntrospectionQuery } from 'graphql';
import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, defaultConfig, loadConfig } from '../src/config.js';
import { tryFastQuery } from '../src/graphql/fast-query.js';
import { createGatewayYoga } from '../src/graphql/yoga.js';
import { subscribe } from './support/sse-client.js';
import { event, SESSION_A, startTestGateway, type GraphQLBody, type TestGateway } from './support/test-gateway.js';

type Path = 'fast' | 'yoga' | 'get';
const PATHS: Path[] = ['fast', 'yoga', 'get'];

interface Request {
  query: string;
  variables?: Record<string, unknown>;
}

interface Answer {
  status: number;
  body: GraphQLBody;
}

async function send(t: TestGateway, via: Path, request: Request, key: string | null): Promise<Answer> {
  const headers: Record<string, string> = { accept: 'application/json', ...(key ? { 'x-api-key': key } : {}) };
  let response: Response;
  if (via === 'get') {
    const params = new URLSearchParams({ query: request.query });
    if (request.variables) params.set('variables', JSON.stringify(request.variables));
    response = await fetch(`${t.url}/graphql?${params}`, { headers });
  } else {
    if (via === 'yoga') headers['origin'] = 'http://dashboard.example';
    response = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify(request),
    });
  }
  return { status: response.status, body: (await response.json()) as GraphQLBody };
}

const messages = (answer: Answer) => (answer.body.errors ?? []).map((e) => e.message);

/** 400, VALIDATION_ERROR, and the message among the errors. */
function expectRefused(answer: Answer, message: string, via: string) {
  expect(answer.status, `${via}: ${JSON.stringify(answer.body)}`).toBe(400);
  const error = answer.body.errors?.find((e) => e.message === message);
  expect(error, `${via}: ${JSON.stringify(answer.body)}`).toBeDefined();
  expect(error!.extensions?.['code']).toBe('VALIDATION_ERROR');
  expect(answer.body.data ?? null).toBeNull();
}

async function expectRefusedEverywhere(t: TestGateway, request: Request, key: string | null, message: string) {
  for (const via of PATHS) expectRefused(await send(t, via, request, key), message, via);
}

async function expectServedEverywhere(t: TestGateway, request: Request, key: string | null) {
  const answers: Answer[] = [];
  for (const via of PATHS) {
    const answer = await send(t, via, request, key);
    expect(answer.status, `${via}: ${JSON.stringify(answer.body).slice(0, 500)}`).toBe(200);
    expect(answer.body.errors, via).toBeUndefined();
    answers.push(answer);
  }
  expect(answers[1]).toEqual(answers[0]);
  expect(answers[2]).toEqual(answers[0]);
  return answers[0]!.body;
}

/** `a0: field a1: field …` */
function aliases(count: number, field = '__typename'): string {
  return Array.from({ length: count }, (_, i) => `a${i}: ${field}`).join(' ');
}

/** Nested levels for the depth and alias properties: fields, optionally aliased, written inline, in an inline fragment or in a named fragment. */
interface Level {
  alias: boolean;
  inline: boolean;
  viaFragment: boolean;
  siblings: number;
  aliasedSiblings: number;
}

const levelArb: fc.Arbitrary<Level> = fc.record({
  alias: fc.boolean(),
  inline: fc.boolean(),
  viaFragment: fc.boolean(),
  siblings: fc.nat({ max: 2 }),
  aliasedSiblings: fc.nat({ max: 2 }),
});

/** The document and its depth and alias count, computed by writing everything out (no fragment is spread twice here). */
function nestedDocument(levels: Level[]) {
  const fragments: string[] = [];
  let inner = 'leaf';
  let depth = 1;
  let aliasCount = 0;
  levels.forEach((level, i) => {
    const siblings = [
      ...Array.from({ length: level.siblings }, (_, j) => `s${j}`),
      ...Array.from({ length: level.aliasedSiblings }, (_, j) => `as${j}: leaf`),
    ];
    let selection = `${level.alias ? `al${i}: ` : ''}f${i} { ${inner} ${siblings.join(' ')} }`;
    depth += 1;
    aliasCount += (level.alias ? 1 : 0) + level.aliasedSiblings;
    if (level.inline) selection = `... on T${i} { ${selection} }`;
    if (level.viaFragment) {
      fragments.push(`fragment L${i} on T${i} { ${selection} }`);
      selection = `...L${i}`;
    }
    inner = selection;
  });
  return { query: `query { ${inner} } ${fragments.join(' ')}`, depth, aliases: aliasCount };
}

const DASHBOARD = '{ sessions(limit: 200) { nodes { id tools { name count } events(limit: 50) { type } } } }';
const HEAVY = 'sessions(limit: 200) { nodes { events(limit: 500) { data } } }';

describe('GraphQL limits, defaults', () => {
  let t: TestGateway;
  let key: string;
  beforeAll(async () => {
    t = await startTestGateway({ now: () => Date.parse('2024-03-01T00:00:00Z') });
    key = await t.key({ tier: 'unlimited' });
    const stored = await t.post('/api/v1/events', {
      events: [
        event('session_start', SESSION_A, '2024-01-15T10:30:00Z'),
        event('tool_use', SESSION_A, '2024-01-15T10:31:00Z', { data: { tool_name: 'Read' } }),
      ],
    }, key);
    expect(stored.status).toBe(200);
  });
  afterAll(() => t.close());

  it("passes GraphiQL's own introspection query, with graphql's default options and with every option, with or without a key", async () => {
    const full = getIntrospectionQuery({ descriptions: true, inputValueDeprecation: true, schemaDescription: true, specifiedByUrl: true, directiveIsRepeatable: true });
    for (const query of [getIntrospectionQuery(), full]) {
      for (const k of [null, key]) {
        const body = await expectServedEverywhere(t, { query }, k);
        expect(body.data?.['__schema']?.types.length).toBeGreaterThan(10);
      }
    }
  });

  it('refuses an operation deeper than 12 with 400 VALIDATION_ERROR naming the depth, on every path; 12 passes', async () => {
    // Introspection counts: __schema, types, fields, type, … (graphql-js refuses it too, for its own reason).
    const deep = '{ __schema { types { fields { type { fields { type { fields { type { fields { type { fields { type { name } } } } } } } } } } } } }';
    await expectRefusedEverywhere(t, { query: deep }, key, 'Query depth 13 exceeds the limit of 12.');
    await expectRefusedEverywhere(t, { query: deep }, null, 'Query depth 13 exceeds the limit of 12.');
    const twelve = '{ __schema { types { fields { type { fields { type { fields { type { fields { type { fields { name } } } } } } } } } } } }';
    for (const via of PATHS) expect(messages(await send(t, via, { query: twelve }, key)).join('\n'), via).not.toMatch(/Query depth/);
  });

  it('does not count __Type.ofType, the one-to-one link that makes the introspection query deep', async () => {
    const ofTypes = 'ofType { '.repeat(20) + 'name' + ' }'.repeat(20);
    const body = await expectServedEverywhere(t, { query: `{ __type(name: "Session") { fields { type { ${ofTypes} } } } }` }, key);
    expect(body.data?.['__type']?.fields.length).toBeGreaterThan(0);
  });

  it('measures depth through fragments and inline fragments: any document deeper than 12 is refused, any within passes the depth check', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(levelArb, { maxLength: 20 }), fc.constantFrom(...PATHS), async (levels, via) => {
        const doc = nestedDocument(levels);
        const answer = await send(t, via, { query: doc.query }, key);
        const depthErrors = messages(answer).filter((m) => m.startsWith('Query depth'));
        if (doc.depth > 12) {
          expect(depthErrors).toEqual([`Query depth ${doc.depth} exceeds the limit of 12.`]);
          expect(answer.status).toBe(400);
        } else {
          expect(depthErrors).toEqual([]);
        }
      }),
      { numRuns: 40 },
    );
  });

  it('answers a document whose fragments spread each other (a cycle) with a validation error, without looping', async () => {
    const query = '{ ...A } fragment A on Query { sessions { total } ...B } fragment B on Query { session(id: "x") { id } ...A }';
    for (const via of PATHS) {
      const answer = await send(t, via, { query }, key);
      expect(messages(answer).join('\n'), via).toMatch(/Cannot spread fragment "A" within itself/);
      expect(answer.body.errors?.[0]?.extensions?.['code']).toBe('VALIDATION_ERROR');
    }
  });

  it('refuses more than 30 aliases with 400 naming the count, on every path; 30 pass', async () => {
    await expectRefusedEverywhere(t, { query: `{ ${aliases(31)} }` }, key, 'Query alias count 31 exceeds the limit of 30.');
    const body = await expectServedEverywhere(t, { query: `{ ${aliases(30, 'sessions { total }')} }` }, key);
    expect(body.data?.['a29']).toEqual({ total: 1 });
  });

  it('counts aliases through fragments and inline fragments: refused exactly when above 30', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(levelArb, { maxLength: 20 }), fc.constantFrom(...PATHS), async (levels, via) => {
        const doc = nestedDocument(levels);
        const answer = await send(t, via, { query: doc.query }, key);
        const aliasErrors = messages(answer).filter((m) => m.startsWith('Query alias count'));
        if (doc.aliases > 30) {
          expect(aliasErrors).toEqual([`Query alias count ${doc.aliases} exceeds the limit of 30.`]);
          expect(answer.status).toBe(400);
        } else {
          expect(aliasErrors).toEqual([]);
        }
      }),
      { numRuns: 40 },
    );
  });

  it("counts a fragment's aliases each time it is spread, even when the expansion would be astronomically large", async () => {
    // T0 has 1 alias; Tk spreads T(k-1) under two aliases: 3·2^k − 2 aliases written out.
    const levels = 40;
    const fragments = ['fragment T0 on __Type { n: name }'];
    for (let k = 1; k <= levels; k++) fragments.push(`fragment T${k} on __Type { a: ofType { ...T${k - 1} } b: ofType { ...T${k - 1} } }`);
    const query = `{ __type(name: "Session") { ...T${levels} } } ${fragments.join(' ')}`;
    const expected = 3 * 2 ** levels - 2;
    await expectRefusedEverywhere(t, { query }, key, `Query alias count ${expected} exceeds the limit of 30.`);
  });

  it('refuses by cost a document whose fragments double at every level, with no alias and no depth to speak of', async () => {
    // Tk spreads T(k-1) twice under the same field: merged in the response, but every copy is
    // collected and compiled (graphql-jit would spend forever on it). Cost: 1 + (3·2^40 − 2).
    const levels = 40;
    const fragments = ['fragment T0 on __Type { name }'];
    for (let k = 1; k <= levels; k++) fragments.push(`fragment T${k} on __Type { ofType { ...T${k - 1} } ofType { ...T${k - 1} } }`);
    const query = `{ __type(name: "Session") { ...T${levels} } } ${fragments.join(' ')}`;
    await expectRefusedEverywhere(t, { query }, key, `Query cost ${3 * 2 ** levels - 1} exceeds the limit of 50000.`);
  });

  it('refuses a document of more than 2000 tokens with 400, on every path; 2000 tokens pass', async () => {
    // 2 braces + 249 × 8 + n: a field repeated too often trips graphql-js's own overlap budget instead.
    const tokens = (n: number) => `{ ${'__typename @include(if: true) '.repeat(249)}${'__typename '.repeat(n)}}`;
    await expectRefusedEverywhere(t, { query: tokens(7) }, key, 'Query exceeds the limit of 2000 tokens.');
    const body = await expectServedEverywhere(t, { query: tokens(6) }, key);
    expect(body.data).toEqual({ __typename: 'Query' });
  });

  it('refuses a document nested deeper than the parser can go with 400, never a 5xx', async () => {
    // ~2000 unclosed `[` exhaust the parser's stack before the token limit; which of the two
    // refusals comes first depends on the stack left, so either message will do.
    const refusal = /^(Query is nested too deeply to parse\.|Query exceeds the limit of 2000 tokens\.)$/;
    for (const [via, brackets] of [['fast', 5000], ['yoga', 5000], ['get', 2100]] as const) {
      const answer = await send(t, via, { query: `{ sessions(limit: ${'['.repeat(brackets)}1${']'.repeat(brackets)}) { total } }` }, key);
      expect(answer.status, via).toBe(400);
      expect(answer.body.errors?.[0]?.message, via).toMatch(refusal);
      expect(answer.body.errors?.[0]?.extensions?.['code'], via).toBe('VALIDATION_ERROR');
    }
  });

  it('serves a dashboard query of cost 11 201 (200 sessions, each with 50 events and its tools)', async () => {
    const body = await expectServedEverywhere(t, { query: DASHBOARD }, key);
    expect(body.data?.['sessions']?.nodes).toEqual([{ id: SESSION_A, tools: [{ name: 'Read', count: 1 }], events: [{ type: 'session_start' }, { type: 'tool_use' }] }]);
  });

  it('refuses 200 sessions × 500 events (cost 100 401), and two aliased halves of it, with 400 naming the cost', async () => {
    await expectRefusedEverywhere(t, { query: `{ ${HEAVY} }` }, key, 'Query cost 100401 exceeds the limit of 50000.');
    const half = 'sessions(limit: 50) { nodes { events(limit: 500) { data } } }'; // 1 + 50 × 502 = 25 101
    await expectServedEverywhere(t, { query: `{ a: ${half} }` }, key);
    await expectRefusedEverywhere(t, { query: `{ a: ${half} b: ${half} }` }, key, 'Query cost 50202 exceeds the limit of 50000.');
  });

  it('weighs a limit given in a variable by its value, per request: one document passes with 50 and is refused with 500', async () => {
    const query = 'query Q($n: Int) { sessions(limit: 200) { nodes { events(limit: $n) { data } } } }';
    await expectServedEverywhere(t, { query, variables: { n: 50 } }, key);
    await expectRefusedEverywhere(t, { query, variables: { n: 500 } }, key, 'Query cost 100401 exceeds the limit of 50000.');
    await expectServedEverywhere(t, { query, variables: { n: 50 } }, key);
  });

  it('weighs a limit above its cap as the cap (sessions 200, events 500, analytics tools 50)', async () => {
    await expectRefusedEverywhere(t, { query: '{ sessions(limit: 100000) { nodes { events(limit: 100000) { data } } } }' }, key, 'Query cost 100401 exceeds the limit of 50000.');
    // analytics: 1 + (1 + 50 × (1 + 1)) = 103 per copy, well within.
    await expectServedEverywhere(t, { query: '{ analytics(startDate: "2024-01-01") { tools(limit: 100000) { name invocationCount } } }' }, key);
  });

  it('refuses a query exactly when its cost (literal, variable or default limits, aliased copies) is above 50 000', async () => {
    const limitArb = fc.option(fc.integer({ min: 1, max: 1000 }), { nil: undefined });
    await fc.assert(
      fc.asyncProperty(
        fc.record({ copies: fc.integer({ min: 1, max: 3 }), sessions: limitArb, events: limitArb, inVariables: fc.boolean(), via: fc.constantFrom(...PATHS) }),
        async ({ copies, sessions, events, inVariables, via }) => {
          const arg = (name: string, value: number | undefined) =>
            inVariables ? `(limit: $${name})` : value === undefined ? '' : `(limit: ${value})`;
          const one = (i: number) => `c${i}: sessions${arg('s', sessions)} { total nodes { id events${arg('e', events)} { type } } }`;
          const query = `query${inVariables ? '($s: Int, $e: Int)' : ''} { ${Array.from({ length: copies }, (_, i) => one(i)).join(' ')} }`;
          const variables = inVariables ? { ...(sessions === undefined ? {} : { s: sessions }), ...(events === undefined ? {} : { e: events }) } : undefined;
          const eventItems = Math.min(events ?? 50, 500);
          const sessionItems = Math.min(sessions ?? 50, 200);
          const cost = copies * (1 + sessionItems * (1 + (1 + 1 + (1 + eventItems))));
          const answer = await send(t, via, { query, variables }, key);
          if (cost > 50_000) {
            expectRefused(answer, `Query cost ${cost} exceeds the limit of 50000.`, via);
          } else {
            expect(answer.status, JSON.stringify(answer.body)).toBe(200);
            expect(answer.body.errors).toBeUndefined();
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it('refuses a batch (a JSON array body) with 400 VALIDATION_ERROR and a clear message', async () => {
    for (const batch of [[{ query: '{ __typename }' }], [{ query: '{ __typename }' }, { query: '{ sessions { total } }' }]]) {
      for (const origin of [{}, { origin: 'http://dashboard.example' }] as Record<string, string>[]) {
        const response = await t.post('/graphql', batch, key, { accept: 'application/json', ...origin });
        expect(response.status).toBe(400);
        const body = (await response.json()) as GraphQLBody;
        expect(body.errors).toEqual([{ message: 'Batching is not supported: send one operation per request, not a JSON array.', extensions: { code: 'VALIDATION_ERROR' } }]);
      }
    }
  });

  it('gives no field suggestions ("Did you mean") to any caller: no key, a bad key, a valid key', async () => {
    const typos: [string, RegExp][] = [
      ['{ sesions { total } }', /^Cannot query field "sesions" on type "Query"\.$/],
      ['{ sessions(limt: 5) { total } }', /^Unknown argument "limt" on field "Query\.sessions"\.$/],
      ['{ sessions { nodes { evnts { type } } } }', /^Cannot query field "evnts" on type "Session"\.$/],
      ['query($d: DateTme) { sessions(startDate: $d) { total } }', /^Unknown type "DateTme"\.$/],
    ];
    for (const k of [null, 'ct_live_' + '0'.repeat(32), key]) {
      for (const [query, expected] of typos) {
        for (const via of PATHS) {
          const answer = await send(t, via, { query }, k);
          expect(JSON.stringify(answer.body), `${via} ${query}`).not.toMatch(/Did you mean/);
          expect(messages(answer), `${via} ${query}`).toContainEqual(expect.stringMatching(expected));
        }
      }
    }
  });

  it('gives no suggestions for a misspelled field of an input object in the variables', async () => {
    const mutation = 'mutation($e: [EventInput!]!) { ingestEvents(events: $e) { accepted } }';
    const variables = { e: [{ evntType: 'session_start', sessionId: SESSION_A, timestamp: '2024-01-15T10:30:00Z' }] };
    for (const k of [null, key]) {
      for (const via of ['fast', 'yoga'] as const) {
        const answer = await send(t, via, { query: mutation, variables }, k);
        expect(messages(answer).join('\n'), via).toMatch(/Field "evntType" is not defined by type "?EventInput"?\./);
        expect(JSON.stringify(answer.body), via).not.toMatch(/Did you mean/);
      }
    }
  });

  it('the fast path hands every refused request to Yoga (tryFastQuery answers null) and answers one within the limits itself', async () => {
    const yoga = createGatewayYoga({ services: t.gateway.services, introspection: true, limits: defaultConfig().graphqlLimits });
    const headers = { 'content-type': 'application/json', 'x-api-key': key };
    // Yoga reads no key: the principal is what the HTTP admission would hand it.
    const principal = await t.gateway.keys.authenticate(key);
    const fast = (query: string, variables?: Record<string, unknown>) =>
      tryFastQuery(yoga, headers, Buffer.from(JSON.stringify({ query, variables })), { requestId: 'fast-path-test', principal });
    const refused = [
      '{ __schema { types { fields { type { fields { type { fields { type { fields { type { fields { type { name } } } } } } } } } } } } }',
      `{ ${aliases(31)} }`,
      `{ ${'__typename '.repeat(2000)}}`,
      `{ ${HEAVY} }`,
    ];
    for (const query of refused) expect(await fast(query), query.slice(0, 60)).toBeNull();
    expect(await fast('query($n: Int) { sessions(limit: 200) { nodes { events(limit: $n) { data } } } }', { n: 500 })).toBeNull();
    const served = await fast(DASHBOARD);
    expect(served?.status).toBe(200);
    expect(JSON.parse(served!.body).data.sessions.nodes[0].id).toBe(SESSION_A);
  });
});

describe('GraphQL limits from the environment, and subscriptions', () => {
  let t: TestGateway;
  let key: string;
  const env = { TRENCHCOAT_GRAPHQL_MAX_DEPTH: '2', TRENCHCOAT_GRAPHQL_MAX_ALIASES: '2', TRENCHCOAT_GRAPHQL_MAX_TOKENS: '40', TRENCHCOAT_GRAPHQL_MAX_COST: '5' };
  beforeAll(async () => {
    t = await startTestGateway({ env });
    key = await t.key({ tier: 'unlimited' });
  });
  afterAll(() => t.close());

  it('applies TRENCHCOAT_GRAPHQL_MAX_DEPTH, _MAX_ALIASES, _MAX_TOKENS and _MAX_COST', async () => {
    await expectServedEverywhere(t, { query: '{ sessions(limit: 4) { total } }' }, key); // cost 1 + 4 × 1
    await expectRefusedEverywhere(t, { query: '{ sessions(limit: 1) { nodes { id } } }' }, key, 'Query depth 3 exceeds the limit of 2.');
    await expectServedEverywhere(t, { query: `{ ${aliases(2)} }` }, key);
    await expectRefusedEverywhere(t, { query: `{ ${aliases(3)} }` }, key, 'Query alias count 3 exceeds the limit of 2.');
    await expectRefusedEverywhere(t, { query: `{ ${'__typename '.repeat(39)}}` }, key, 'Query exceeds the limit of 40 tokens.');
    await expectRefusedEverywhere(t, { query: '{ sessions(limit: 5) { total } }' }, key, 'Query cost 6 exceeds the limit of 5.');
  });

  it('applies every limit to subscriptions over SSE: 400 VALIDATION_ERROR naming the limit', async () => {
    const cases: [string, string][] = [
      ['subscription { sessionUpdated { tools { name } } }', 'Query depth 3 exceeds the limit of 2.'],
      ['subscription { sessionUpdated { a: id b: id c: id } }', 'Query alias count 3 exceeds the limit of 2.'],
      [`subscription { sessionUpdated { ${'id '.repeat(40)}} }`, 'Query exceeds the limit of 40 tokens.'],
      ['subscription { sessionUpdated { id eventCount toolInvocations startedAt endedAt } }', 'Query cost 6 exceeds the limit of 5.'],
    ];
    for (const [query, message] of cases) {
      const stream = await subscribe(t.url, query, { key });
      try {
        expect(stream.status, query).toBe(400);
        const [first] = await stream.rest(2000);
        const error = (first?.data.errors as { message: string; extensions: { code: string } }[]).find((e) => e.message === message);
        expect(error?.extensions.code, JSON.stringify(first)).toBe('VALIDATION_ERROR');
      } finally {
        stream.close();
      }
    }
    const within = await subscribe(t.url, 'subscription { sessionUpdated { id eventCount } }', { key });
    try {
      expect(within.status).toBe(200);
      expect(within.contentType).toMatch(/text\/event-stream/);
    } finally {
      within.close();
    }
  });

  it('rejects a bad TRENCHCOAT_GRAPHQL_MAX_* value with a ConfigError naming the variable', () => {
    for (const name of Object.keys(env)) {
      for (const bad of ['0', '-1', '1.5', 'ten', '', '1e3']) {
        expect(() => loadConfig({}, { [name]: bad }), `${name}=${bad}`).toThrow(ConfigError);
        expect(() => loadConfig({}, { [name]: bad }), `${name}=${bad}`).toThrow(name);
      }
    }
    expect(loadConfig({}, {}).graphqlLimits).toEqual({
      maxDepth: 12, maxAliases: 30, maxTokens: 2000, maxCost: 50_000,
      maxResponseBytes: 8_388_608, maxRows: 1_000_000, keyBytesInFlight: 16_777_216, bytesInFlight: 67_108_864,
    });
    expect(Object.isFrozen(loadConfig({}, env).graphqlLimits)).toBe(true);
  });
});

describe('GraphQL masked errors', () => {
  it("name the request id in the message, on Yoga's POST and GET answers", async () => {
    const t = await startTestGateway();
    try {
      const key = await t.key({ tier: 'unlimited' });
      expect((await t.post('/api/v1/events', { events: [event('session_start', SESSION_A, '2024-01-15T10:30:00Z')] }, key)).status).toBe(200);
      // A table gone is a server fault the client cannot cause: the resolver fails unexpectedly.
      await sql`alter table sessions rename to sessions_gone`.execute(t.gateway.database.db);
      for (const via of ['post', 'get'] as const) {
        const requestId = `limits-${via}-1`;
        const headers = { accept: 'application/json', 'x-api-key': key, 'x-request-id': requestId };
        const response = via === 'get'
          ? await fetch(`${t.url}/graphql?query=${encodeURIComponent('{ sessions { total nodes { id } } }')}`, { headers })
          : await fetch(`${t.url}/graphql`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ sessions { total nodes { id } } }' }) });
        expect(response.headers.get('x-request-id')).toBe(requestId);
        const text = await response.text();
        expect(text).not.toMatch(/sessions_gone|no such table|relation|select /i);
        const body = JSON.parse(text) as GraphQLBody;
        expect(body.errors?.map((e) => e.message), via).toEqual([`An unexpected error occurred. Request id: ${requestId}.`]);
      }
    } finally {
      await t.close();
    }
  });
});
