// A JSON body may nest arrays and objects only so deep, and hold only so many values (src/http/json-shape.ts),
// checked by one byte scan before JSON.parse, for every JSON body: REST ingestion and hooks, and GraphQL. Without a
// valid key the limits are small (64 levels, 10,000 values); with one the depth lets any `data` within its 64 KiB
// reach the per-event check (contract §5), and 300,000 values hold 1,000 events of the richest real hook payloads.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../src/errors/api-error.js';
import { assertJsonShape } from '../src/http/json-shape.js';
import { expectErrorEnvelope, rawRequest } from './support/rest-read-helpers.js';
import { SESSION_A, startTestGateway, type TestGateway } from './support/test-gateway.js';

const ANONYMOUS_MAX = 64;
const KEYED_MAX = 32_800;
const ANONYMOUS_MAX_VALUES = 10_000;
const KEYED_MAX_VALUES = 300_000;
const UNLIMITED = Number.MAX_SAFE_INTEGER;

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

/** Arrays and objects, plus their elements and members but the first of each, plus their members: the marks { [ , : of its text. */
function marksOf(value: unknown): number {
  let marks = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (v === null || typeof v !== 'object') continue;
    const children = Object.values(v);
    marks += 1 + Math.max(0, children.length - 1) + (Array.isArray(v) ? 0 : children.length);
    stack.push(...children);
  }
  return marks;
}

/** `[[[…"leaf"…]]]`, `levels` deep. */
const nested = (levels: number) => `${'['.repeat(levels)}"leaf"${']'.repeat(levels)}`;

function refusalOf(body: string, limits: { maxDepth: number; maxValues: number }): string | null {
  try {
    assertJsonShape(Buffer.from(body), limits);
    return null;
  } catch (error) {
    expect(error).toBeInstanceOf(ApiError);
    return (error as ApiError).code;
  }
}

function refusedBy(body: string, max: number): boolean {
  const code = refusalOf(body, { maxDepth: max, maxValues: UNLIMITED });
  if (code !== null) expect(code).toBe('VALIDATION_ERROR');
  return code !== null;
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

  it('refuses a body exactly when it holds more values than the limit (413), whatever its strings and spacing', () => {
    fc.assert(
      fc.property(json, fc.integer({ min: 0, max: 40 }), fc.constantFrom(undefined, 1, '\t'), (value, max, space) => {
        const body = JSON.stringify(value, null, space);
        expect(refusalOf(body, { maxDepth: UNLIMITED, maxValues: max })).toBe(marksOf(value) > max ? 'PAYLOAD_TOO_LARGE' : null);
      }),
      { numRuns: 500 },
    );
  });

  it('counts values at the limit as allowed, one more as too many', () => {
    const limits = (maxValues: number) => ({ maxDepth: UNLIMITED, maxValues });
    expect(refusalOf('{"a":1,"b":[1,2,{}]}', limits(8))).toBeNull();
    expect(refusalOf('{"a":1,"b":[1,2,{}]}', limits(7))).toBe('PAYLOAD_TOO_LARGE');
    expect(refusalOf('"{[,:{[,:"', limits(0))).toBeNull();
    expect(refusalOf('12', limits(0))).toBeNull();
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

  const emptyObjects = (count: number) => Array(count).fill('{}').join(',');

  it('POST /api/v1/events with a key takes 300,000 values and refuses one more with a 413 naming the limit, nothing stored', async () => {
    // 1,000 events (data stays under its 64 KiB), `objects` empty objects spread over their `found` lists.
    const bodyWith = (objects: number) => {
      const events = Array.from({ length: 1000 }, (_, i) => {
        const found = emptyObjects(Math.floor(objects / 1000) + (i < objects % 1000 ? 1 : 0));
        return `{"event_type":"tool_use","session_id":"${SESSION_A}","timestamp":"2024-01-15T11:00:00.${String(i).padStart(3, '0')}Z","data":{"tool_name":"Glob","found":[${found}]}}`;
      });
      return `{"events":[${events.join(',')}]}`;
    };
    let objects = 0;
    for (let step = 1 << 20; step >= 1; step >>= 1) {
      if (marksOf(JSON.parse(bodyWith(objects + step))) <= KEYED_MAX_VALUES) objects += step;
    }
    expect(marksOf(JSON.parse(bodyWith(objects)))).toBeGreaterThan(KEYED_MAX_VALUES - 2);
    const served = await t.post('/api/v1/events', bodyWith(objects), key);
    expect(served.status).toBe(200);
    expect((await served.json()).data).toMatchObject({ accepted: 1000, rejected: 0 });

    const eventCount = async () => (await (await t.get('/api/v1/sessions', key)).json()).data.sessions[0].event_count;
    const storedBefore = await eventCount();
    const refused = await t.post('/api/v1/events', bodyWith(objects + 1).replaceAll('T11:00:00.', 'T12:00:00.'), key);
    expect(refused.status).toBe(413);
    const body = await refused.json();
    expectErrorEnvelope(body, 'PAYLOAD_TOO_LARGE');
    expect(body.error.message).toContain(`more than ${KEYED_MAX_VALUES} values`);
    expect(await eventCount()).toBe(storedBefore);
  });

  it('GraphQL: a body of 1.7 million empty objects is refused with a 413 before it is parsed; without a key at 10,000 values', async () => {
    const keyed = await postGraphQL(`{"query":"{ __typename }","variables":{"v":[${emptyObjects(1_700_000)}]}}`, key);
    expect(keyed.status).toBe(413);
    expect(JSON.parse(keyed.text).errors[0]).toMatchObject({ extensions: { code: 'PAYLOAD_TOO_LARGE' } });
    expect(JSON.parse(keyed.text).errors[0].message).toContain(`more than ${KEYED_MAX_VALUES} values`);

    const anonymousBody = (objects: number) => `{"query":"{ __typename }","variables":{"v":[${emptyObjects(objects)}]}}`;
    // `{ : , : { : [` (the query's braces are inside a string), then 2 per object but the first: 2n + 6 marks.
    expect((await postGraphQL(anonymousBody((ANONYMOUS_MAX_VALUES - 5) / 2 - 0.5), null)).status).toBe(200);
    const anonymous = await postGraphQL(anonymousBody((ANONYMOUS_MAX_VALUES - 5) / 2 + 0.5), null);
    expect(anonymous.status).toBe(413);
    expect(JSON.parse(anonymous.text).errors[0].message).toContain(`more than ${ANONYMOUS_MAX_VALUES} values`);
  });

  it('a 5 MiB body of 2.6 million levels with a key is refused as too deep', async () => {
    const levels = 2_600_000;
    const body = `{"events":${'['.repeat(levels)}${']'.repeat(levels)}}`;
    const refused = await t.post('/api/v1/events', body, key);
    expect(refused.status).toBe(400);
    expectErrorEnvelope(await refused.json(), 'VALIDATION_ERROR', ['body']);
  });
});
