// Fuzzing POST /api/v1/events (docs/api.md#ingestion) with generated bodies: arbitrary JSON, arbitrary text
// and bytes, truncated bodies, and near-valid batches (each field of each event mostly valid,
// sometimes of the wrong type, missing, huge, nested deep, with NUL characters or lone surrogates,
// at or past the edges of time). The answer is never a 5xx: 415 for a body not declared application/json, 413 past
// the body limit, 400 naming `body` or `events` for a malformed request, else 200 where a model of the ingestion
// rules (written here) predicts which events are accepted and which fields each rejected one is blamed for. After each run,
// nothing is half-written: the events stored are exactly the accepted non-duplicates, and the
// sessions and tool counters are folded from exactly those.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractTimestamp } from './support/contract-time.js';
import {
  dateTextArb,
  DeepJson,
  expectNothingHalfWritten,
  expectSaneAnswer,
  expectStillServing,
  jsonText,
  postBody,
  shown,
  storableText,
  type JsonAnswer,
} from './support/fuzz-support.js';
import { accountKey } from './support/ingest-support.js';
import { expectErrorEnvelope } from './support/rest-read-helpers.js';
import { startTestGateway, type TestGateway } from './support/test-gateway.js';

const BODY_LIMIT = 256 * 1024;
const MAX_BATCH = 1000;
const BATCH_TOO_LARGE = 'Batch size exceeds limit of 1000 events per request.';
const MAX_DATA_BYTES = 64 * 1024;
/**
 * How deep `data` may nest objects and arrays (data itself is level 1). Past a few
 * thousand levels serializing it overflowed the stack (a 500), so the gateway refuses it as bad data.
 */
const MAX_DATA_DEPTH = 100;
const TYPES = [
  'session_start', 'session_end', 'tool_use', 'tool_result', 'subagent_stop',
  'assistant_stop', 'prompt_submit', 'subagent_start', 'pre_compact', 'notification',
];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SESSIONS = ['550e8400-e29b-41d4-a716-446655440000', '6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'c2b1a0e4-7f3d-4e8a-9b1c-0d2e3f4a5b6c'];

let t: TestGateway;

beforeAll(async () => {
  t = await startTestGateway({
    now: () => Date.parse('2024-06-01T00:00:00Z'),
    env: { TRENCHCOAT_BODY_LIMIT_BYTES: String(BODY_LIMIT) },
  });
});
afterAll(() => t.close());

// ---------- the model of the ingestion rules ----------

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof DeepJson);
}

/** Levels of objects and arrays (a scalar is 0), without recursion. */
function depthOf(value: unknown): number {
  let max = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v instanceof DeepJson) max = Math.max(max, depth - 1 + v.depth);
    else if (v !== null && typeof v === 'object') {
      max = Math.max(max, depth);
      for (const child of Object.values(v)) stack.push([child, depth + 1]);
    }
  }
  return max;
}

/** The fields the ingestion rules blame for one event (relative names; `''` for the event itself). */
function blamedFields(raw: unknown): Set<string> {
  if (raw instanceof DeepJson || !isPlainObject(raw)) return new Set(['']);
  const bad = new Set<string>();
  if (!TYPES.includes(raw['event_type'] as string)) bad.add('event_type');
  const sessionId = raw['session_id'];
  if (typeof sessionId !== 'string' || !UUID.test(sessionId)) bad.add('session_id');
  if (contractTimestamp(raw['timestamp']) === null) bad.add('timestamp');
  const data = raw['data'];
  if (data instanceof DeepJson) {
    if (data.depth > MAX_DATA_DEPTH || data.text().length > MAX_DATA_BYTES) bad.add('data');
  } else if (data !== undefined && data !== null) {
    if (!isPlainObject(data) || depthOf(data) > MAX_DATA_DEPTH || Buffer.byteLength(JSON.stringify(data)) > MAX_DATA_BYTES) bad.add('data');
  }
  const eventId = raw['event_id'];
  // An event_id with U+0000 or a lone surrogate cannot be stored as sent (see storableText).
  if (eventId !== undefined && eventId !== null) {
    const chars = typeof eventId === 'string' ? [...eventId].length : 0;
    if (typeof eventId !== 'string' || chars < 1 || chars > 128 || !storableText(eventId)) bad.add('event_id');
  }
  return bad;
}

type Outcome =
  | { status: 415 }
  | { status: 413 }
  | { status: 400; fields: string[]; message?: string }
  | { status: 200; accepted: number; rejected: number; blamed: Map<number, Set<string>> };

/**
 * What the ingestion rules and the error envelope say of a body (bytes as sent), the same whatever the content type. `generated`:
 * the events the body was written from (else the model parses the body itself).
 */
function expectedOutcome(body: Buffer, generated?: unknown[]): Outcome {
  if (body.length > BODY_LIMIT) return { status: 413 };
  let events = generated;
  if (events === undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      return { status: 400, fields: ['body'] };
    }
    if (!isPlainObject(parsed)) return { status: 400, fields: ['body'] };
    if (!Array.isArray(parsed['events'])) return { status: 400, fields: ['events'] };
    events = parsed['events'];
  }
  if (events.length === 0) return { status: 400, fields: ['events'] };
  if (events.length > MAX_BATCH) return { status: 400, fields: ['events'], message: BATCH_TOO_LARGE };
  const blamed = new Map<number, Set<string>>();
  events.forEach((e, i) => {
    // A generated event as the server parses it: as JSON carries it (undefined dropped, NaN as null).
    const wire = generated === undefined || e instanceof DeepJson ? e : restoreDeep(e, JSON.parse(jsonText(e)));
    const fields = blamedFields(wire);
    if (fields.size > 0) blamed.set(i, new Set([...fields].map((f) => (f ? `events[${i}].${f}` : `events[${i}]`))));
  });
  return { status: 200, accepted: events.length - blamed.size, rejected: blamed.size, blamed };
}

/** A body is read only when declared application/json, with no charset but UTF-8 (else 415, whatever the body). */
function declaresJson(contentType: string | null): boolean {
  return contentType !== null && /^application\/json(;\s*charset=utf-8)?$/i.test(contentType);
}

/** The parsed event with its DeepJson put back (the model measures it without parsing it). */
function restoreDeep(original: unknown, wire: unknown): unknown {
  if (isPlainObject(original) && original['data'] instanceof DeepJson && isPlainObject(wire)) return { ...wire, data: original['data'] };
  return wire;
}

/** Checks an answer against the model; returns the events it stored (accepted − duplicates). */
function checkAnswer(answer: JsonAnswer, expected: Outcome, what: unknown): number {
  const label = `${shown(what)} → ${answer.status} ${answer.text.slice(0, 600)}`;
  expectSaneAnswer(answer, what);
  expect(answer.status, label).toBe(expected.status);
  if (expected.status === 415) {
    expectErrorEnvelope(answer.json, 'UNSUPPORTED_MEDIA_TYPE');
    return 0;
  }
  if (expected.status === 413) {
    expectErrorEnvelope(answer.json, 'PAYLOAD_TOO_LARGE');
    return 0;
  }
  if (expected.status === 400) {
    expectErrorEnvelope(answer.json, 'VALIDATION_ERROR', expected.fields);
    if (expected.message) expect(answer.json.error.message, label).toBe(expected.message);
    return 0;
  }
  const data = answer.json.data;
  expect(Object.keys(data), label).toEqual(['accepted', 'rejected', 'duplicates', 'errors']);
  expect(data.accepted + data.rejected, label).toBe(expected.accepted + expected.rejected);
  expect({ accepted: data.accepted, rejected: data.rejected }, label).toEqual({ accepted: expected.accepted, rejected: expected.rejected });
  expect(data.duplicates, label).toBeGreaterThanOrEqual(0);
  expect(data.duplicates, label).toBeLessThanOrEqual(data.accepted);
  const named = new Map<number, Set<string>>();
  for (const error of data.errors as { index: number; field: string; message: string }[]) {
    expect(Object.keys(error).sort(), label).toEqual(['field', 'index', 'message']);
    expect(error.message.length, label).toBeGreaterThan(0);
    named.set(error.index, (named.get(error.index) ?? new Set()).add(error.field));
  }
  expect(named, label).toEqual(expected.blamed);
  return data.accepted - data.duplicates;
}

// ---------- generators ----------

const ABSENT = Symbol('absent');

const lonely = fc.constantFrom('\ud800', '\udfff', 'a\udc00b', '\ud83d', 'x\u0000y', '\u0000', 'ok\ud83d\ude00');
const labelArb = fc.oneof(fc.constantFrom('Read', 'Bash', 'Edit', 'mcp__github__search'), fc.string({ maxLength: 12 }), lonely);

const eventTypeArb = fc.oneof(
  { weight: 14, arbitrary: fc.constantFrom(...TYPES) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(null, 0, true, [], {}, '', 'SESSION_START', 'session_start ', 'tool-use', 'tool_use\u0000', ABSENT) },
  { weight: 1, arbitrary: fc.string({ maxLength: 16 }) },
);

const sessionIdArb = fc.oneof(
  { weight: 10, arbitrary: fc.constantFrom(...SESSIONS) },
  { weight: 3, arbitrary: fc.constantFrom(...SESSIONS).map((s) => s.toUpperCase()) },
  { weight: 2, arbitrary: fc.uuid() },
  {
    weight: 2,
    arbitrary: fc.constantFrom<unknown>(
      null, 0, [], {}, '', `{${SESSIONS[0]}}`, SESSIONS[0]!.slice(1), `${SESSIONS[0]}a`, `urn:uuid:${SESSIONS[0]}`,
      SESSIONS[0]!.replace(/-/g, ''), ` ${SESSIONS[0]}`, SESSIONS[0]!.replace('a', 'g'), `${SESSIONS[0]}\u0000`, ABSENT,
    ),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
);

/** A well-formed date-time within the writable years, in UTC or at an offset, with 0–9 fraction digits. */
const goodTimestampArb = fc
  .tuple(
    fc.integer({ min: Date.parse('0000-01-02T00:00:00Z'), max: Date.parse('9999-12-30T00:00:00Z') }),
    fc.oneof(fc.constant(0), fc.integer({ min: -(23 * 60 + 59), max: 23 * 60 + 59 })),
    fc.stringMatching(/^(\.[0-9]{1,9})?$/),
  )
  .map(([ms, offsetMinutes, fraction]) => {
    const local = new Date(ms + offsetMinutes * 60_000).toISOString().slice(0, 19);
    if (offsetMinutes === 0) return `${local}${fraction}Z`;
    const abs = Math.abs(offsetMinutes);
    return `${local}${fraction}${offsetMinutes < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  });

const timestampArb = fc.oneof(
  { weight: 10, arbitrary: goodTimestampArb },
  { weight: 4, arbitrary: dateTextArb({ withTime: 'always' }) },
  {
    weight: 2,
    arbitrary: fc.constantFrom<unknown>(
      '0000-01-01T00:00:00Z', '9999-12-31T23:59:59.999Z', '9999-12-31T23:59:59.999999999Z', '0000-01-01T01:00:00+01:00',
      '9999-12-31T22:59:59.999-01:00', '0000-01-01T00:00:00+00:01', '9999-12-31T23:59:59.999-00:01', '10000-01-01T00:00:00Z',
      '2024-01-15', '2024-01-15T10:00:00', '2024-01-15T10:00:00.Z', '2024-01-15T10:00:00Z ', '2024-01-15T10:00:00\u0000Z',
      '2024-02-29T12:00:00Z', '2023-02-29T12:00:00Z', 1705314600000, null, {}, [], true, ABSENT,
    ),
  },
);

const jsonLeaf = fc.oneof(fc.string({ maxLength: 8 }), lonely, fc.integer(), fc.double(), fc.boolean(), fc.constant(null));

const dataArb = fc.oneof(
  { weight: 6, arbitrary: fc.constant<unknown>(ABSENT) },
  { weight: 1, arbitrary: fc.constant<unknown>(null) },
  { weight: 4, arbitrary: fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 5 }) },
  {
    weight: 4,
    arbitrary: fc.record(
      {
        tool_name: labelArb,
        tool_use_id: labelArb,
        is_error: fc.oneof(fc.boolean(), jsonLeaf),
        duration_ms: fc.oneof(fc.nat(), fc.double(), fc.constantFrom(1e300, -1, Number.MAX_SAFE_INTEGER, 2 ** 53 / 1000)),
        note: jsonLeaf,
      },
      { requiredKeys: [] },
    ),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom('a', '\u0000', 'é', '😀', '\ud800'), fc.integer({ min: 10_000, max: 66_000 }))
      .map(([unit, n]) => ({ text: unit.repeat(Math.ceil(n / Buffer.byteLength(JSON.stringify(unit)))) })),
  },
  {
    weight: 1,
    arbitrary: fc
      .oneof(fc.integer({ min: 1, max: 100 }), fc.constantFrom(99, 100, 101, 102), fc.integer({ min: 101, max: 3000 }), fc.constantFrom(20_000, 30_000))
      .map((depth) => new DeepJson(depth)),
  },
  { weight: 1, arbitrary: fc.constantFrom<unknown>([], [1], 'x', '{}', 0, true, ['tool_name']) },
  // Past the body limit on its own, or nearly.
  { weight: 1, arbitrary: fc.integer({ min: 100_000, max: 300_000 }).map((n) => ({ text: 'x'.repeat(n) })) },
);

const eventIdArb = fc.oneof(
  { weight: 6, arbitrary: fc.constant<unknown>(ABSENT) },
  { weight: 1, arbitrary: fc.constant<unknown>(null) },
  { weight: 4, arbitrary: fc.uuid() },
  { weight: 3, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 128 }) },
  {
    weight: 2,
    arbitrary: fc.constantFrom<unknown>(
      '', 'x'.repeat(128), 'x'.repeat(129), '😀'.repeat(128), '😀'.repeat(129), 'a\u0000', '\u0000', 'x\ud800', '\udc00x', 0, 7, true, {}, ['a'],
    ),
  },
);

const extraArb = fc.oneof(
  { weight: 8, arbitrary: fc.constant({}) },
  { weight: 1, arbitrary: fc.dictionary(fc.constantFrom('extra', '__proto__', 'constructor', 'toString', 'Event_Type', 'sessionId'), fc.jsonValue({ maxDepth: 2 })) },
);

/** A near-valid event: each field mostly valid, sometimes not; sometimes not an event at all. */
const eventArb: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 20,
    arbitrary: fc
      .record({ event_type: eventTypeArb, session_id: sessionIdArb, timestamp: timestampArb, data: dataArb, event_id: eventIdArb, extra: extraArb })
      .map(({ extra, ...fields }) => {
        const event: Record<string, unknown> = {};
        // Own properties even for `__proto__`, as JSON.parse makes them.
        for (const [k, v] of Object.entries(extra)) Object.defineProperty(event, k, { value: v, enumerable: true, writable: true, configurable: true });
        for (const [k, v] of Object.entries(fields)) if (v !== ABSENT) event[k] = v;
        return event;
      }),
  },
  { weight: 1, arbitrary: fc.oneof(fc.constantFrom<unknown>(null, 0, 'event', [], true, [{}]), fc.jsonValue({ maxDepth: 2 })) },
);

// ---------- the properties ----------

describe('POST /api/v1/events with generated bodies', () => {
  it('near-valid batches: 200 with the accepted and rejected the model predicts, each rejection blaming its field; 413 past the limit', async () => {
    const { account, key } = await accountKey(t);
    let inserted = 0;
    const statuses = new Set<number>();
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(eventArb, { minLength: 1, maxLength: 12 }), { minLength: 1, maxLength: 3 }), async (batches) => {
        const bodies = batches.map((events) => Buffer.from(jsonText({ events })));
        const answers = await Promise.all(bodies.map((body) => postBody(t, '/api/v1/events', key, body)));
        answers.forEach((answer, i) => {
          statuses.add(answer.status);
          inserted += checkAnswer(answer, expectedOutcome(bodies[i]!, batches[i]), bodies[i]!.toString('utf8'));
        });
      }),
      { numRuns: 80 },
    );
    expect([...statuses].sort()).toEqual([200, 413]);
    await expectNothingHalfWritten(t, account, key, inserted);
    await expectStillServing(t);
  });

  it('any JSON, any text, any bytes, truncated bodies, any content type: the model decides, never a 5xx', async () => {
    const { account, key } = await accountKey(t);
    let inserted = 0;
    const validBody = fc.array(eventArb, { minLength: 1, maxLength: 4 }).map((events) => jsonText({ events }));
    const bodyArb = fc.oneof(
      fc.json({ maxDepth: 4 }),
      fc.jsonValue({ maxDepth: 3 }).map((events) => JSON.stringify({ events })),
      fc.array(fc.jsonValue({ maxDepth: 3 }), { maxLength: 4 }).map((events) => JSON.stringify({ events })),
      fc.tuple(validBody, fc.double({ min: 0, max: 1, noNaN: true })).map(([body, at]) => body.slice(0, Math.floor(body.length * at))),
      validBody,
      validBody.map((body) => `\ufeff${body}`),
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes)),
      fc.constantFrom('', ' ', '\n', 'null', '[]', '{}', '"events"', '{"events":null}', '{"events":{}}', '{"events":"[]"}', '{"events":[]}', '{"events":[null]}', '{"events":[{}]}', `{"events":${'['.repeat(400_000)}`, `${'['.repeat(300_000)}${']'.repeat(300_000)}`),
    );
    const contentTypeArb = fc.constantFrom<string | null>(
      'application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data', '', null, 'application/json; charset=latin1',
    );
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(bodyArb, contentTypeArb), { minLength: 1, maxLength: 4 }), async (requests) => {
        const bodies = requests.map(([body]) => (Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8')));
        const answers = await Promise.all(
          requests.map(([, contentType], i) =>
            postBody(t, '/api/v1/events', key, bodies[i]!, { 'content-type': contentType }),
          ),
        );
        answers.forEach((answer, i) => {
          const expected: Outcome = declaresJson(requests[i]![1]) ? expectedOutcome(bodies[i]!) : { status: 415 };
          inserted += checkAnswer(answer, expected, { body: bodies[i]!.toString('utf8'), contentType: requests[i]![1] });
        });
      }),
      { numRuns: 150 },
    );
    await expectNothingHalfWritten(t, account, key, inserted);
    await expectStillServing(t);
  });

  it('batches around the limit: 1 to 1,000 events are each judged, 1,001 are refused whole', async () => {
    const { account, key } = await accountKey(t);
    let inserted = 0;
    const sizeArb = fc.constantFrom(1, 999, 1000, 1001, 1500);
    const smallEvent = fc.record({ event_type: fc.constantFrom(...TYPES), session_id: fc.constantFrom(...SESSIONS), timestamp: goodTimestampArb });
    await fc.assert(
      fc.asyncProperty(sizeArb, fc.array(fc.tuple(fc.nat(), eventArb), { maxLength: 5 }), smallEvent, async (size, swaps, base) => {
        const events: unknown[] = Array.from({ length: size }, (_, i) => ({ ...base, event_id: `batch-${size}-${i}-${base.timestamp}` }));
        for (const [at, e] of swaps) events[at % size] = e;
        const body = Buffer.from(jsonText({ events }));
        inserted += checkAnswer(await postBody(t, '/api/v1/events', key, body), expectedOutcome(body, events), { size, swaps });
      }),
      { numRuns: 8 },
    );
    await expectNothingHalfWritten(t, account, key, inserted);
  });

  it('durations near the top of the accepted range, over thousands of results of one tool: never a 5xx', async () => {
    const { account, key } = await accountKey(t);
    let inserted = 0;
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.double({ min: 5e12, max: (Number.MAX_SAFE_INTEGER - 1) / 1000, noNaN: true }), fc.constantFrom(2, 3), async (durationMs, batches) => {
        run += 1;
        for (let b = 0; b < batches; b++) {
          const events = Array.from({ length: MAX_BATCH }, (_, i) => ({
            event_type: 'tool_result',
            session_id: SESSIONS[0],
            timestamp: '2024-05-01T00:00:00Z',
            event_id: `long-${run}-${b}-${i}`,
            data: { tool_name: `Slow${run}`, duration_ms: durationMs },
          }));
          const body = Buffer.from(jsonText({ events }));
          inserted += checkAnswer(await postBody(t, '/api/v1/events', key, body), expectedOutcome(body, events), { durationMs, batch: b });
        }
      }),
      // Each run stores thousands of events: report the first failure as it is, without shrinking it.
      { numRuns: 3, endOnFailure: true },
    );
    await expectNothingHalfWritten(t, account, key, inserted);
  });
});
