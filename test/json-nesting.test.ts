// A JSON body may nest arrays and objects only so deep (src/http/json-nesting.ts), checked by one byte scan
// before JSON.parse, for every JSON body: REST ingestion and hooks, and GraphQL. Without a valid key the limit
// is small (64); with one it lets any `data` within its 64 KiB reach the per-event check (contract §5).
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../src/errors/api-error.js';
import { assertJsonNesting } from '../src/http/json-nesting.js';
import { expectErrorEnvelope, rawRequest } from './support/rest-read-helpers.js';
import { SESSION_A, startTestGateway, type TestGateway } from './support/test-gateway.js';

const ANONYMOUS_MAX = 64;
const KEYED_MAX = 32_800;

/** Levels of arrays and objects (a scalar is 0), without recursion. */
function depthOf(value: unknown): number {
  let max = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v !== null && typeof v === 'object') {
      max = Math.max(max, depth);
      for (const child of Object.values(v)) stack.push([child, depth + 1]);
    }
  }
  return max;
}

/** `[[[…"leaf"…]]]`, `levels` deep. */
const nested = (levels: number) => `${'['.repeat(levels)}"leaf"${']'.repeat(levels)}`;

function refusedBy(body: string, max: number): boolean {
  try {
    assertJsonNesting(Buffer.from(body), max);
    return false;
  } catch (error) {
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).code).toBe('VALIDATION_ERROR');
    return true;
  }
}

describe('the byte scan', () => {
  // Strings full of brackets, quotes and backslashes must not count; whitespace must not matter.
  const trickyString = fc.string({ unit: fc.constantFrom('[', ']', '{', '}', '"', '\\', 'a', 'é', '\u0000', '😀') });
  const json = fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      trickyString,
      fc.integer(),
      fc.constant(null),
      fc.array(tie('value'), { maxLength: 4 }),
      fc.dictionary(trickyString, tie('value'), { maxKeys: 4 }),
    ),
  })).value;

  it('refuses a body exactly when it nests deeper than the limit, whatever its strings and spacing', () => {
    fc.assert(
      fc.property(json, fc.integer({ min: 0, max: 12 }), fc.constantFrom(undefined, 1, '\t'), (value, max, space) => {
        const body = JSON.stringify(value, null, space);
        expect(refusedBy(body, max)).toBe(depthOf(value) > max);
      }),
      { numRuns: 500 },
    );
  });

  it('counts levels at the limit as allowed, one more as too many', () => {
    expect(refusedBy(nested(64), 64)).toBe(false);
    expect(refusedBy(nested(65), 64)).toBe(true);
    expect(refusedBy('{"a":{"b":[{}]}}', 4)).toBe(false);
    expect(refusedBy('{"a":{"b":[{}]}}', 3)).toBe(true);
    expect(refusedBy('"[[[[[["', 1)).toBe(false);
    expect(refusedBy('["\\"[[[", []]', 1)).toBe(true);
  });
});

describe('over HTTP', () => {
  let t: TestGateway;
  let key: string;
  beforeAll(async () => {
    t = await startTestGateway();
    key = await t.key();
  });
  afterAll(() => t.close());

  const graphqlBody = (levels: number) => `{"query":"{ __typename }","variables":{"v":${nested(levels - 2)}}}`;
  const postGraphQL = (body: string, presented: string | null) =>
    rawRequest(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', ...(presented ? { 'X-API-Key': presented } : {}) },
      body,
    });

  it('without a key, GraphQL takes 64 levels and refuses 65 with a 400 naming the limit, in its errors list', async () => {
    const served = await postGraphQL(graphqlBody(ANONYMOUS_MAX), null);
    expect(served.status).toBe(200);
    expect(JSON.parse(served.text)).toEqual({ data: { __typename: 'Query' } });

    const refused = await postGraphQL(graphqlBody(ANONYMOUS_MAX + 1), null);
    expect(refused.status).toBe(400);
    expect(JSON.parse(refused.text)).toEqual({
      errors: [{ message: `The JSON body nests arrays and objects more than ${ANONYMOUS_MAX} levels deep (the limit for this request).`, extensions: { code: 'VALIDATION_ERROR' } }],
    });
  });

  it('a body of 30,000 levels without a key is refused as too deep, not parsed', async () => {
    const refused = await postGraphQL(graphqlBody(30_000), null);
    expect(refused.status).toBe(400);
    expect(JSON.parse(refused.text).errors[0].message).toContain(`more than ${ANONYMOUS_MAX} levels`);
  });

  it('with a key, GraphQL takes what an anonymous caller may not, up to 32,800 levels', async () => {
    expect((await postGraphQL(graphqlBody(ANONYMOUS_MAX + 1), key)).status).toBe(200);
    expect((await postGraphQL(graphqlBody(KEYED_MAX), key)).status).toBe(200);
    const refused = await postGraphQL(graphqlBody(KEYED_MAX + 1), key);
    expect(refused.status).toBe(400);
    expect(JSON.parse(refused.text).errors[0]).toEqual({
      message: `The JSON body nests arrays and objects more than ${KEYED_MAX} levels deep (the limit for this request).`,
      extensions: { code: 'VALIDATION_ERROR' },
    });
  });

  it('POST /api/v1/events: the deepest data within 64 KiB is judged per event; a deeper body is a 400 naming `body`, nothing stored', async () => {
    const deepest = 32_768; // `[` and `]` per level: 65,536 bytes of data
    const event = (data: string, i: number) => `{"event_type":"tool_use","session_id":"${SESSION_A}","timestamp":"2024-01-15T10:0${i}:00Z","data":${data}}`;
    const batch = `{"events":[${event('{"tool_name":"Read"}', 0)},${event(`{"d":${nested(deepest - 1)}}`, 1)}]}`;
    const judged = await t.post('/api/v1/events', batch, key);
    expect(judged.status).toBe(200);
    const { data } = await judged.json();
    expect(data).toMatchObject({ accepted: 1, rejected: 1 });
    expect(data.errors.map((e: { field: string }) => e.field)).toEqual(['events[1].data']);

    const tooDeep = `{"events":[${event('{"tool_name":"Grep"}', 2)},${event(nested(KEYED_MAX), 3)}]}`;
    const refused = await t.post('/api/v1/events', tooDeep, key);
    expect(refused.status).toBe(400);
    const body = await refused.json();
    expectErrorEnvelope(body, 'VALIDATION_ERROR', ['body']);
    expect(body.error.details[0].message).toBe(`nests arrays and objects more than ${KEYED_MAX} levels deep`);
    const listed = await (await t.get('/api/v1/sessions', key)).json();
    expect(listed.data.sessions[0].event_count).toBe(1);
  });

  it('POST /api/v1/hooks/claude-code is held to the same limit', async () => {
    const hook = (toolInput: string) => `{"session_id":"${SESSION_A}","hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":${toolInput}}`;
    expect((await t.post('/api/v1/hooks/claude-code', hook(nested(1000)), key)).status).toBe(200);
    const refused = await t.post('/api/v1/hooks/claude-code', hook(nested(KEYED_MAX)), key);
    expect(refused.status).toBe(400);
    expectErrorEnvelope(await refused.json(), 'VALIDATION_ERROR', ['body']);
  });

  it('a 5 MiB body of 2.6 million levels with a key is refused as too deep', async () => {
    const levels = 2_600_000;
    const body = `{"events":${'['.repeat(levels)}${']'.repeat(levels)}}`;
    const refused = await t.post('/api/v1/events', body, key);
    expect(refused.status).toBe(400);
    expectErrorEnvelope(await refused.json(), 'VALIDATION_ERROR', ['body']);
  });
});
