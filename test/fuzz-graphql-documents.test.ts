// Fuzzing /graphql with generated documents: random selections over the served
// schema (read back through introspection) with arguments of the right and wrong types, aliases,
// fragments and directives; variables of the right and wrong types; and junk: syntax noise,
// truncated documents, deep nesting of selections, lists and objects, many aliases, huge string
// literals, fragment cycles, several operations, malformed request envelopes, GET requests.
// Keys: none, full, read-only, write-only. Every answer: never a 5xx, JSON, and each error carries
// an `extensions.code` of the contract's. Limits are being added by the hardening issue: no limit
// number is asserted here, only that whatever refuses a request does so with one of those codes.
import fc from 'fast-check';
import {
  buildClientSchema,
  getIntrospectionQuery,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLObjectType,
  type GraphQLSchema,
  type IntrospectionQuery,
} from 'graphql';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { dateTextArb, expectStillServing, send, shown, type JsonAnswer } from './support/fuzz-support.js';
import { ingestAll, uuidFor } from './support/rest-read-helpers.js';
import { event, startTestGateway, type TestGateway } from './support/test-gateway.js';

const CODES = ['VALIDATION_ERROR', 'UNAUTHENTICATED', 'FORBIDDEN', 'RATE_LIMITED'];

let t: TestGateway;
let schema: GraphQLSchema;
let arbitraries: ReturnType<typeof requestArbitraries>;
const keys: Record<'none' | 'full' | 'read' | 'write', string | null> = { none: null, full: null, read: null, write: null };

beforeAll(async () => {
  t = await startTestGateway({ now: () => Date.parse('2024-03-01T00:00:00Z') });
  keys.full = await t.key({ scopes: ['read:analytics', 'write:events'], tier: 'unlimited' });
  keys.read = await t.key({ scopes: ['read:analytics'], tier: 'unlimited' });
  keys.write = await t.key({ scopes: ['write:events'], tier: 'unlimited' });
  await ingestAll(t, keys.full, [
    event('session_start', uuidFor(1), '2024-02-20T10:00:00Z'),
    event('tool_use', uuidFor(1), '2024-02-20T10:00:01Z', { data: { tool_name: 'Read' } }),
    event('tool_result', uuidFor(1), '2024-02-20T10:00:02Z', { data: { tool_name: 'Read', duration_ms: 12 } }),
    event('session_end', uuidFor(1), '2024-02-20T11:00:00Z'),
    event('session_start', uuidFor(2), '2024-02-25T09:00:00Z'),
  ]);
  const introspection = await t.graphql(getIntrospectionQuery());
  expect(introspection.body.errors).toBeUndefined();
  schema = buildClientSchema(introspection.body.data as unknown as IntrospectionQuery);
  arbitraries = requestArbitraries();
});
afterAll(() => t.close());

// ---------- literals ----------

const NAME = /^[_A-Za-z][_0-9A-Za-z]*$/;
const nameArb = fc.stringMatching(/^[_A-Za-z][_0-9A-Za-z]{0,8}$/);

/** A JSON value as a GraphQL literal (keys that are not GraphQL names are renamed). */
function literal(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `[${value.map(literal).join(', ')}]`;
  if (typeof value === 'object') {
    return `{${Object.entries(value as Record<string, unknown>).map(([k, v], i) => `${NAME.test(k) ? k : `k${i}`}: ${literal(v)}`).join(', ')}}`;
  }
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '0';
  return JSON.stringify(value);
}

/** A literal of some type other than the one asked for (or not a value at all). */
const wrongLiteral = fc.constantFrom(
  '"str"', '""', '123', '-0', '1.5', '1e3', 'true', 'null', '[1, 2]', '[]', '{a: 1}', '{}', 'ENUM_VALUE', '$undeclared',
  '9999999999999999999999', '2147483648', '"\\ud800"', '"\\u0000"', '"""block"""',
);

const scalarLiteral: Record<string, fc.Arbitrary<string>> = {
  Int: fc.oneof(fc.integer({ min: -5, max: 600 }), fc.constantFrom(0, -1, 1, 50, 200, 201, 500, 501, 2147483647, -2147483648)).map(String),
  Float: fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => literal(n)),
  String: fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom(...['session_start', 'tool_use', 'bogus'])).map((s) => JSON.stringify(s)),
  Boolean: fc.boolean().map(String),
  ID: fc.oneof(fc.constantFrom(uuidFor(1), uuidFor(2), uuidFor(1).toUpperCase()), fc.uuid(), fc.string({ maxLength: 40 })).map((s) => JSON.stringify(s)),
  DateTime: dateTextArb({ withTime: 'sometimes' }).map((s) => JSON.stringify(s)),
  SafeInt: fc.oneof(fc.integer(), fc.constantFrom(2 ** 53 - 1, 2 ** 53, -(2 ** 53))).map(String),
  JSONObject: fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }).map(literal),
};

const valueMemo = new Map<string, fc.Arbitrary<string>>();

/** A literal for an argument or input field of `type`: mostly of that type, sometimes not. */
function valueOf(type: GraphQLInputType): fc.Arbitrary<string> {
  const key = String(type);
  let arb = valueMemo.get(key);
  if (!arb) {
    arb = fc.oneof({ weight: 6, arbitrary: rightValueOf(type) }, { weight: 1, arbitrary: wrongLiteral });
    valueMemo.set(key, arb);
  }
  return arb;
}

function rightValueOf(type: GraphQLInputType): fc.Arbitrary<string> {
  if (isNonNullType(type)) return rightValueOf(type.ofType);
  if (isListType(type)) return fc.array(valueOf(type.ofType), { maxLength: 3 }).map((items) => `[${items.join(', ')}]`);
  if (isInputObjectType(type)) {
    const fields = Object.values(type.getFields()).map((f) =>
      fc.option(valueOf(f.type).map((v) => `${f.name}: ${v}`), { freq: isNonNullType(f.type) ? 12 : 2 }),
    );
    return fc.tuple(...fields).map((parts) => `{${parts.filter((p) => p !== null).join(', ')}}`);
  }
  if (isEnumType(type)) return fc.constantFrom(...type.getValues().map((v) => v.name));
  return scalarLiteral[getNamedType(type).name] ?? fc.constant('"x"');
}

// ---------- selections over the schema ----------

const selectionMemo = new Map<string, fc.Arbitrary<string>>();

const INTROSPECTION_SELECTIONS = [
  '__schema { queryType { name } types { name kind fields { name args { name type { name kind ofType { name } } } } } }',
  '__type(name: "Session") { name fields { name type { name kind ofType { name kind } } } }',
  '__type(name: "Nope") { name }',
  '__type(name: 5) { name }',
  '__schema { directives { name args { name } } }',
];

/** `{ ... }`: 1–4 fields of `type` (any of its fields, `__typename`, an unknown one, an inline fragment). */
function selectionSetOf(type: GraphQLObjectType, depth: number): fc.Arbitrary<string> {
  const key = `${type.name}/${depth}`;
  const known = selectionMemo.get(key);
  if (known) return known;
  const fields = Object.values(type.getFields()).map((f) => fieldOf(f, depth));
  const items: fc.WeightedArbitrary<string>[] = [
    { weight: 12, arbitrary: fc.oneof(...fields) },
    { weight: 1, arbitrary: fc.constant('__typename') },
    { weight: 1, arbitrary: nameArb.map((n) => `${n} { id }`) },
  ];
  if (depth > 0) items.push({ weight: 1, arbitrary: selectionSetOf(type, depth - 1).map((s) => `... on ${type.name} ${s}`) });
  if (type === schema.getQueryType()) items.push({ weight: 1, arbitrary: fc.constantFrom(...INTROSPECTION_SELECTIONS) });
  const arb = fc
    .tuple(fc.array(fc.oneof(...items), { minLength: 1, maxLength: 4 }), fc.constantFrom('', '', '', ' @skip(if: true)', ' @include(if: false)', ' @nope'))
    .map(([[first, ...rest], directive]) => `{ ${[`${first}${directive}`, ...rest].join(' ')} }`);
  selectionMemo.set(key, arb);
  return arb;
}

function fieldOf(field: GraphQLField<unknown, unknown>, depth: number): fc.Arbitrary<string> {
  const named = getNamedType(field.type);
  const args = fc
    .tuple(
      ...field.args.map((a) => fc.option(valueOf(a.type).map((v) => `${a.name}: ${v}`), { freq: isNonNullType(a.type) ? 12 : 2 })),
      fc.option(fc.constant('bogus: 1'), { freq: 15 }),
    )
    .map((parts) => parts.filter((p) => p !== null))
    .map((parts) => (parts.length > 0 ? `(${parts.join(', ')})` : ''));
  const alias = fc.option(nameArb.map((n) => `${n}: `), { freq: 4 });
  const directive = fc.constantFrom('', '', '', '', ' @skip(if: false)', ' @include(if: true)', ' @skip(if: "yes")', ' @deprecated');
  const sub = isObjectType(named)
    ? depth > 0
      ? fc.oneof({ weight: 8, arbitrary: selectionSetOf(named, depth - 1) }, { weight: 1, arbitrary: fc.constant('') })
      : fc.constantFrom('{ __typename }', '')
    : fc.constantFrom('', '', '', '', '', '{ x }');
  return fc.tuple(alias, args, directive, sub).map(([a, ar, d, s]) => `${a ?? ''}${field.name}${ar}${d} ${s}`.trim());
}

type OperationKind = 'query' | 'mutation' | 'subscription';

/** An operation of one of `kinds` over the schema; a query is sometimes named, and sometimes says `query`. */
function operationArb(kinds: readonly OperationKind[]): fc.Arbitrary<string> {
  const ops: fc.WeightedArbitrary<string>[] = [];
  const mutation = schema.getMutationType();
  const subscription = schema.getSubscriptionType();
  if (kinds.includes('query')) {
    ops.push({ weight: 8, arbitrary: fc.tuple(fc.constantFrom('', 'query ', 'query Q '), selectionSetOf(schema.getQueryType()!, 3)).map(([kw, s]) => `${kw}${s}`) });
  }
  if (kinds.includes('mutation') && mutation) ops.push({ weight: 2, arbitrary: selectionSetOf(mutation, 2).map((s) => `mutation ${s}`) });
  if (kinds.includes('subscription') && subscription) ops.push({ weight: 2, arbitrary: selectionSetOf(subscription, 2).map((s) => `subscription ${s}`) });
  return fc.oneof(...ops);
}

// ---------- documents and requests ----------

interface GraphQLRequest {
  method: 'POST' | 'GET';
  /** A JSON body as text (POST), or the query string (GET). */
  payload: string;
  key: keyof typeof keys;
}

const envelope = (query: string, extra: Record<string, unknown> = {}) => JSON.stringify({ query, ...extra });

const TEMPLATES = [
  'query($limit: Int, $offset: Int, $start: DateTime, $end: DateTime) { sessions(limit: $limit, offset: $offset, startDate: $start, endDate: $end) { total limit offset nodes { id durationMs events(limit: $limit, offset: $offset) { type timestamp data } tools { name count } } pageInfo { hasNextPage endCursor } } }',
  'query($id: ID!) { session(id: $id) { id startedAt endedAt eventCount toolInvocations } }',
  'mutation($events: [EventInput!]!) { ingestEvents(events: $events) { accepted rejected duplicates errors { index field message } } }',
  'query($start: DateTime, $end: DateTime, $limit: Int) { analytics(startDate: $start, endDate: $end) { overview { totalSessions totalEvents activeDays topTools { name invocationCount } } tools(limit: $limit) { name invocationCount avgDurationMs errorRate } } }',
  'query($limit: String) { sessions(limit: $limit) { total } }',
  'query($x: Nope) { __typename }',
  'query($limit: Int = "ten") { sessions(limit: $limit) { total } }',
];

const variableValue = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.integer().map((n) => n),
  fc.constantFrom(0, -1, 1, 200, 201, 2 ** 31, 2 ** 53, 1.5, '10', '', null, true, [], {}, uuidFor(1), '2024-02-01', '2024-02-30', 'not a date'),
  dateTextArb({ withTime: 'sometimes' }),
  fc.array(
    fc.record(
      { eventType: fc.constantFrom('session_start', 'tool_use', 'nope'), sessionId: fc.constantFrom(uuidFor(3), 'x'), timestamp: fc.constantFrom('2024-02-27T00:00:00Z', 'x'), data: fc.jsonValue({ maxDepth: 2 }), eventId: fc.string() },
      { requiredKeys: [] },
    ),
    { maxLength: 3 },
  ),
);

const variablesObjectArb = fc.dictionary(fc.constantFrom('limit', 'offset', 'start', 'end', 'id', 'events', 'x'), variableValue, { maxKeys: 4 });
/** `variables` that are not an object of variables: a JSON string of one, an array, a scalar. */
const variablesJunkArb = fc.oneof(variablesObjectArb.map((v) => JSON.stringify(v)), fc.constantFrom<unknown>([], 'vars', 5, true, [{ limit: 1 }]));

const tokens = ['{', '}', '(', ')', ':', '...', '@', '$', '!', '=', '[', ']', '"', '"""', 'query', 'mutation', 'subscription', 'fragment', 'on', 'sessions', 'session', 'nodes', 'id', '#', '\n', '1', '1.5e', '&', '|', ',', '\u0000', '\ufeff', 'é'];

/** An Int argument given as a list nested `n` deep. */
const deepList = (n: number) => `{ sessions(limit: ${'['.repeat(n)}1${']'.repeat(n)}) { total } }`;

/** Documents that stress the parser and validator: nesting, aliases, literals, fragments, operations. */
const stressArb: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(
    fc.oneof(fc.constantFrom(10, 50, 100, 500, 1000, 1990, 5000, 20_000), fc.integer({ min: 100, max: 3000 })),
    fc.constantFrom('selection', 'list', 'object', 'fragment'),
  ).map(([n, kind]) => {
    switch (kind) {
      case 'selection': return `{ sessions ${'{ nodes '.repeat(n)}${'}'.repeat(n)} }`;
      case 'list': return deepList(n);
      case 'object': return `mutation { ingestEvents(events: [{eventType: "tool_use", sessionId: "${uuidFor(4)}", timestamp: "2024-02-27T00:00:00Z", data: ${'{a: '.repeat(n)}1${'}'.repeat(n)}}]) { accepted } }`;
      default: return `{ ${'... on Query { '.repeat(n)}__typename${' }'.repeat(n)} }`;
    }
  }),
  fc.tuple(fc.constantFrom(10, 31, 100, 1000, 5000), fc.constantFrom('__typename', 'sessions(limit: 1) { total }', 'analytics { overview { totalSessions } }')).map(
    ([n, field]) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: ${field}`).join(' ')} }`,
  ),
  fc.constantFrom(1000, 100_000, 2_000_000).map((n) => `{ session(id: "${'x'.repeat(n)}") { id } }`),
  fc.constantFrom(
    'fragment A on Query { ...B } fragment B on Query { ...A } { ...A }',
    'fragment A on Query { sessions { total } } { ...A ...A ...A }',
    'fragment A on Session { id } { sessions { nodes { ...A } } }',
    'fragment A on Nope { id } { ...A }',
    '{ ...Missing }',
    '{ sessions { nodes { events(limit: 500) { type } } } }',
    '{ sessions(limit: 200) { nodes { events(limit: 500) { data } tools { name } } edges { cursor node { id } } } }',
  ),
  fc.constantFrom(50, 500).map((n) => `{ ${Array.from({ length: n }, (_, i) => `f${i}: __type(name: "Session") { fields { type { ofType { ofType { name } } } } }`).join(' ')} }`),
);

/** A document of `kinds` mostly; sometimes noise, a token soup, or a truncated operation. */
function documentArb(kinds: readonly OperationKind[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 12, arbitrary: operationArb(kinds) },
    { weight: 1, arbitrary: fc.string({ maxLength: 60 }) },
    { weight: 1, arbitrary: fc.array(fc.constantFrom(...tokens), { maxLength: 30 }).map((parts) => parts.join(' ')) },
    { weight: 1, arbitrary: fc.tuple(operationArb(kinds), fc.double({ min: 0, max: 1, noNaN: true })).map(([doc, at]) => doc.slice(0, Math.floor(doc.length * at))) },
  );
}

const keyArb = fc.constantFrom<keyof typeof keys>('none', 'full', 'full', 'read', 'write');
const posted = (payload: fc.Arbitrary<string>): fc.Arbitrary<GraphQLRequest> =>
  fc.tuple(payload, keyArb).map(([text, key]) => ({ method: 'POST' as const, payload: text, key }));
/** A GET with `query` (lone surrogates dropped: a URL cannot carry them) and optional raw `variables` text. */
const fetched = (doc: fc.Arbitrary<string>, variables: fc.Arbitrary<string | null>): fc.Arbitrary<GraphQLRequest> =>
  fc
    .tuple(doc.filter((d) => d.length < 4000), variables, keyArb)
    .map(([query, vars, key]) => ({
      method: 'GET' as const,
      payload: `query=${encodeURIComponent(query.replace(/[\ud800-\udfff]/g, ''))}${vars === null ? '' : `&variables=${encodeURIComponent(vars.replace(/[\ud800-\udfff]/g, ''))}`}`,
      key,
    }));

/** The generators over the schema, built once the schema has been read back (beforeAll). */
function requestArbitraries() {
  const queriesAndMutations = documentArb(['query', 'mutation']);
  return {
    /** Well-formed requests: a document (no operation name) or a template with an object of variables. */
    documents: posted(
      fc.oneof(
        { weight: 5, arbitrary: queriesAndMutations.map((query) => envelope(query)) },
        { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...TEMPLATES), variablesObjectArb).map(([query, variables]) => envelope(query, { variables })) },
      ),
    ),
    subscriptions: fc.oneof(
      posted(documentArb(['subscription']).map((query) => envelope(query))),
      fetched(documentArb(['subscription']), fc.constant(null)),
    ),
    /** Requests the client got wrong around the document: its envelope, operation name, variables, or method. */
    envelopes: fc.oneof(
      posted(
        fc.oneof(
          fc.tuple(queriesAndMutations, fc.constantFrom('Q', 'A', 'B', 'Nope', '')).map(([query, operationName]) => envelope(query, { operationName })),
          fc.tuple(fc.constantFrom(...TEMPLATES), variablesJunkArb).map(([query, variables]) => envelope(query, { variables })),
          fc.constantFrom(
            '', 'null', '[]', '{}', '"{ __typename }"', '{"query": 5}', '{"query": null}', '{"query": ["{ __typename }"]}', '{"query": "{ __typename }", "variables": 5}',
            '{"query": "{ __typename }", "operationName": 3}', '{"query": "{ __typename }", "extensions": {"persistedQuery": {"version": 1, "sha256Hash": "abc"}}}',
            '[{"query": "{ __typename }"}, {"query": "{ sessions { total } }"}]', '{"query": "{ __typename }"', '{"query": "{ __typename }", "extra": true}',
            '{"query": "query A { __typename } query B { __typename }"}', '{"query": "query A { __typename } { __typename }"}',
          ),
          fc.json({ maxDepth: 2 }),
        ),
      ),
      fetched(fc.oneof(documentArb(['mutation']), fc.constantFrom('', ' ')), fc.constant(null)),
      fetched(fc.constantFrom('{ __typename }', 'query($limit: Int) { sessions(limit: $limit) { total } }'), fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom('[]', '5', 'null', '{'))),
    ),
    /** Queries over GET, with an object of variables or none. */
    get: fetched(documentArb(['query']).filter((query) => query.trim() !== ''), fc.option(variablesObjectArb.map((v) => JSON.stringify(v)), { freq: 3 })),
  };
}

function sendGraphQL(request: GraphQLRequest): Promise<JsonAnswer> {
  const key = keys[request.key];
  const headers: Record<string, string> = { accept: 'application/json', ...(key ? { 'x-api-key': key } : {}) };
  if (request.method === 'GET') return send(t, `/graphql?${request.payload}`, { headers });
  return send(t, '/graphql', { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: request.payload });
}

/** Never a 5xx; JSON; every error with a message and one of the contract's codes. */
function expectContractAnswer(answer: JsonAnswer, request: GraphQLRequest): void {
  const label = `${shown(request)} → ${answer.status} ${answer.text.slice(0, 600)}`;
  expect(answer.status, label).toBeLessThan(500);
  // A subscription asked for as JSON: HTTP's own refusal (406, `Accept: text/event-stream`), which has no body.
  if (answer.status === 406 && answer.headers['accept'] === 'text/event-stream' && answer.text === '') return;
  expect(answer.headers['content-type'], label).toMatch(/^application\/(graphql-response\+)?json\b/);
  expect(answer.json, label).toBeTypeOf('object');
  expect(answer.json, label).not.toBe(null);
  const errors = (answer.json as { errors?: unknown }).errors;
  if (answer.status >= 400) expect(Array.isArray(errors) && errors.length > 0, label).toBe(true);
  if (errors === undefined) {
    expect('data' in (answer.json as object), label).toBe(true);
    return;
  }
  expect(Array.isArray(errors), label).toBe(true);
  for (const error of errors as { message?: unknown; extensions?: { code?: unknown } }[]) {
    expect(error.message, label).toBeTypeOf('string');
    expect(CODES, label).toContain(error.extensions?.code);
  }
}

// ---------- the properties ----------

/** Runs batches of 1–3 requests from `arb` concurrently; `examples` (single requests) run first, every time. */
async function run(arb: fc.Arbitrary<GraphQLRequest>, numRuns: number, examples: GraphQLRequest[] = []): Promise<void> {
  await fc.assert(
    fc.asyncProperty(fc.array(arb, { minLength: 1, maxLength: 3 }), async (requests) => {
      const answers = await Promise.all(requests.map(sendGraphQL));
      answers.forEach((answer, i) => expectContractAnswer(answer, requests[i]!));
    }),
    { numRuns, examples: examples.map((request) => [[request]]) },
  );
  await expectStillServing(t);
}

it('generated queries and mutations over the schema, and templates with variables (POST): never a 5xx, JSON, every error with a contract code', async () => {
  await run(arbitraries.documents, 150);
  const after = await t.graphql('{ sessions { total } }', undefined, keys.full);
  expect(after.body.data?.['sessions']?.total).toBeGreaterThanOrEqual(2);
});

it('generated queries over GET: never a 5xx, JSON, every error with a contract code', async () => {
  await run(arbitraries.get, 80);
});

it('generated subscriptions (POST and GET, JSON accepted): never a 5xx, JSON, every error with a contract code', async () => {
  await run(arbitraries.subscriptions, 60);
});

it('malformed envelopes, operation names, variables that are not an object, mutations over GET: never a 5xx, every error with a contract code', async () => {
  await run(arbitraries.envelopes, 80);
});

it('stress documents (deep nesting, many aliases, huge literals, fragment cycles), with a key: never a 5xx, every error with a contract code', async () => {
  const post = (query: string): GraphQLRequest => ({ method: 'POST', payload: envelope(query), key: 'full' });
  // Just under the token limit's reach, the recursive parser is deepest: these run every time.
  await run(stressArb.map(post), 40, [1000, 1990, 2000, 3000].map((n) => post(deepList(n))));
});
