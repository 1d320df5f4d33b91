// Fuzzing the query strings of the sessions and analytics endpoints: every GET route under /api/v1 gets generated query
// strings (known and unknown keys, repeated parameters, percent-encoding junk, huge numbers,
// unicode, empty values, dates with odd offsets). With a valid key the answer is 200 or 400, never
// a 5xx; a 400 is the error envelope naming exactly the bad parameters, as a model of the contract's
// rules (written here, not taken from src) predicts them; a 200 applies the values the model
// predicts. Without a key every one of them is the same 401.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractInstant } from './support/contract-time.js';
import { dateTextArb, expectSaneAnswer, expectStillServing, send, shown, type JsonAnswer } from './support/fuzz-support.js';
import { expectErrorEnvelope, ingestAll, unlimitedKey, uuidFor } from './support/rest-read-helpers.js';
import { event, startTestGateway, type TestGateway } from './support/test-gateway.js';

const NOW = Date.parse('2024-03-01T00:00:00Z');
const THIRTY_DAYS = 30 * 86_400_000;
const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** One session per instant (at the edges of the writable years, on a leap day, at "now"), each using two tools. */
const STARTS = [
  '0000-01-01T00:00:00Z', '0001-06-01T00:00:00Z', '1970-01-01T00:00:00Z', '2024-01-15T10:30:00Z', '2024-02-10T00:00:00Z',
  '2024-02-29T23:59:59.999Z', '2024-03-01T00:00:00Z', '9999-12-31T23:59:59.999Z',
].map(Date.parse);
const TOOLS = ['Read', 'Edit', 'Bash', 'Grep', 'Glob'];
const toolsOf = (i: number) => [TOOLS[i % TOOLS.length]!, TOOLS[(i + 1) % TOOLS.length]!];

let t: TestGateway;
let key: string;

beforeAll(async () => {
  t = await startTestGateway({ now: () => NOW });
  key = await unlimitedKey(t);
  const iso = (ms: number) => new Date(ms).toISOString();
  await ingestAll(t, key, STARTS.flatMap((ms, i) => [
    event('session_start', uuidFor(i + 1), iso(ms)),
    ...toolsOf(i).map((name) => event('tool_use', uuidFor(i + 1), iso(ms), { data: { tool_name: name } })),
  ]));
});
afterAll(() => t.close());

// ---------- the model: the parameter rules of docs/api.md#sessions ----------

const PLAIN_INTEGER = /^[0-9]+$/;

interface Expectation {
  /** The parameters a 400 must name; empty for a 200. */
  bad: Set<string>;
  limit?: number;
  offset?: number;
  start: number | null;
  end: number | null;
}

/** What the contract says of `params` for a route reading `integers` and both dates. */
function expectationFor(params: URLSearchParams, integers: Record<string, (n: number) => boolean>): Expectation {
  const bad = new Set<string>();
  const single = (name: string): string | undefined => {
    const values = params.getAll(name);
    if (values.length > 1) bad.add(name);
    return values.length === 1 ? values[0] : undefined;
  };
  const ints: Record<string, number | undefined> = {};
  for (const [name, ok] of Object.entries(integers)) {
    const raw = single(name);
    if (raw === undefined) continue;
    if (PLAIN_INTEGER.test(raw) && ok(Number(raw))) ints[name] = Number(raw);
    else bad.add(name);
  }
  const dates: Record<string, number | null> = { start_date: null, end_date: null };
  for (const name of ['start_date', 'end_date']) {
    const raw = single(name);
    if (raw === undefined) continue;
    const ms = contractInstant(raw);
    if (ms === null) bad.add(name);
    else dates[name] = ms;
  }
  const [start, end] = [dates['start_date']!, dates['end_date']!];
  if (start !== null && end !== null && start > end) bad.add('start_date');
  return { bad, limit: ints['limit'], offset: ints['offset'], start, end };
}

const inRange = (start: number, end: number) => STARTS.filter((ms) => ms >= start && ms <= end).length;
const toolsInRange = (start: number, end: number) =>
  new Set(STARTS.flatMap((ms, i) => (ms >= start && ms <= end ? toolsOf(i) : []))).size;

// ---------- generators ----------

/** Percent-encodes every byte of the UTF-8 form but the unreserved ones (lone surrogates become U+FFFD). */
function percentEncode(text: string): string {
  return [...Buffer.from(text, 'utf8')]
    .map((b) => (/[A-Za-z0-9._~-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`))
    .join('');
}

const numberArb = fc.oneof(
  fc.nat({ max: 300 }).map(String),
  fc.bigInt({ min: 0n, max: 2n ** 70n }).map(String),
  fc.constantFrom('0', '00', '0005', '1', '10', '49', '50', '51', '200', '201', '9007199254740991', '9007199254740992', '9'.repeat(400), `${'0'.repeat(300)}7`),
  fc.constantFrom('-0', '+5', '1e3', '1e2', '0x10', '1.0', '1.5', '-1', ' 5', '5 ', 'Infinity', 'NaN', '１', '٣', '5\u0000', '', 'null', 'true', '[]'),
);

const textArb = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.constantFrom('2024-1-5', '24-01-05', '2024-01-15T10:00Z', '20240115', '2024-01-15T10:00:00.Z', '+002024-01-15', '2024-W03', 'now', '2024-01-15T10:00:00+02:00:00', '2024-02-30', '2023-02-29', '2024-01-15T25:00:00Z'),
);

/** Text a client would percent-encode properly. */
const encodedValue = fc.oneof({ weight: 4, arbitrary: dateTextArb({ withTime: 'sometimes' }) }, { weight: 4, arbitrary: numberArb }, { weight: 2, arbitrary: textArb }).map(percentEncode);
/** Raw bytes of a query string that a careless client sends: stray `%`, bad escapes, `+`, separators. */
const junkValue = fc
  .array(fc.constantFrom('%', '%%', '%zz', '%4', '%C3', '%C3%28', '%ED%A0%80', '%F0%9F', '%00', '%FF', '+', '=', ';', '%26', '%3D', '%2B', 'a', '1', '-', ':', '.', '%20', '%0A', 'T', 'Z', '2024-01-15'), { maxLength: 6 })
  .map((pieces) => pieces.join(''));
const valueArb = fc.oneof({ weight: 6, arbitrary: encodedValue }, { weight: 1, arbitrary: junkValue }, { weight: 1, arbitrary: numberArb });

const keyArb = fc.oneof(
  { weight: 12, arbitrary: fc.constantFrom('limit', 'offset', 'start_date', 'end_date') },
  { weight: 1, arbitrary: fc.constantFrom('lim%69t', 'LIMIT', 'limit%20', 'start%5Fdate', 'end_date%00', 'offset[]', '%ZZ', '', 'limit+', 'api_key', 'x-api-key') },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 8 }).map(percentEncode) },
);

/** `key=value` (or a bare `key`), joined by `&` (sometimes doubled, leading or trailing). */
const queryArb = fc
  .tuple(
    fc.array(fc.tuple(keyArb, fc.option(valueArb, { freq: 12 })), { maxLength: 5 }),
    fc.constantFrom('&', '&', '&', '&&'),
    fc.constantFrom('', '', '', '&', '?'),
  )
  .map(([pairs, joiner, edge]) => `${edge}${pairs.map(([k, v]) => (v === null ? k : `${k}=${v}`)).join(joiner)}`);

// ---------- the properties ----------

interface RouteCase {
  path: string;
  integers: Record<string, (n: number) => boolean>;
  /** Checks a 200 body against the model. */
  check(body: any, e: Expectation, label: string): void;
}

const routes: RouteCase[] = [
  {
    path: '/api/v1/sessions',
    integers: { limit: (n) => n >= 1, offset: (n) => n <= MAX_SAFE },
    check(body, e, label) {
      expect(Object.keys(body.data), label).toEqual(['sessions', 'total', 'limit', 'offset']);
      const total = inRange(e.start ?? -Infinity, e.end ?? Infinity);
      const limit = Math.min(e.limit ?? 50, 200);
      const offset = e.offset ?? 0;
      expect(body.data, label).toMatchObject({ total, limit, offset });
      expect(body.data.sessions.length, label).toBe(Math.max(0, Math.min(limit, total - offset)));
    },
  },
  {
    path: '/api/v1/analytics/overview',
    integers: {},
    check(body, e, label) {
      const start = e.start ?? NOW - THIRTY_DAYS;
      const end = e.end ?? NOW;
      expect(Object.keys(body.data), label).toEqual(['total_sessions', 'total_events', 'total_tool_invocations', 'active_days', 'top_tools']);
      expect(body.data.total_sessions, label).toBe(inRange(start, end));
      expect(body.data.top_tools.length, label).toBe(Math.min(5, toolsInRange(start, end)));
    },
  },
  {
    path: '/api/v1/analytics/tools',
    integers: { limit: (n) => n >= 1 },
    check(body, e, label) {
      const start = e.start ?? NOW - THIRTY_DAYS;
      const end = e.end ?? NOW;
      expect(Object.keys(body.data), label).toEqual(['tools']);
      expect(body.data.tools.length, label).toBe(Math.min(e.limit ?? 10, 50, toolsInRange(start, end)));
    },
  },
];

describe.each(routes)('GET $path with generated query strings', (route) => {
  it('is 200 or a 400 naming exactly the bad parameters (as the contract predicts), never a 5xx; 401 without a key', async () => {
    // Which outcomes the run produced: a run that only ever saw one of them would prove little.
    const statuses = new Set<number>();
    await fc.assert(
      fc.asyncProperty(fc.array(queryArb, { minLength: 1, maxLength: 4 }), async (queries) => {
        const targets = queries.map((q) => `${route.path}?${q}`);
        const [anonymous, ...answers] = await Promise.all([
          send(t, targets[0]!),
          ...targets.map((target) => send(t, target, { headers: { 'x-api-key': key } })),
        ]);
        expectSaneAnswer(anonymous!, targets[0]);
        expect(anonymous!.status, targets[0]).toBe(401);
        expect(anonymous!.json).toStrictEqual({ error: { code: 'UNAUTHORIZED', message: 'Missing or invalid API key.' } });
        answers.forEach((answer: JsonAnswer, i) => {
          const target = targets[i]!;
          const label = `${shown(target)} → ${answer.status} ${answer.text.slice(0, 400)}`;
          expectSaneAnswer(answer, target);
          statuses.add(answer.status);
          const e = expectationFor(new URL(target, 'http://gateway.invalid').searchParams, route.integers);
          if (e.bad.size > 0) {
            expect(answer.status, label).toBe(400);
            expectErrorEnvelope(answer.json, 'VALIDATION_ERROR', [...e.bad]);
          } else {
            expect(answer.status, label).toBe(200);
            route.check(answer.json, e, label);
          }
        });
      }),
      { numRuns: 120 },
    );
    expect([...statuses].sort()).toEqual([200, 400]);
    await expectStillServing(t);
  });
});

it('the edge values the brief names: limit=1e3, offset=-0, empty values, a parameter twice, odd offsets', async () => {
  const cases: [string, number, string[]][] = [
    ['/api/v1/sessions?limit=1e3', 400, ['limit']],
    ['/api/v1/sessions?offset=-0', 400, ['offset']],
    ['/api/v1/sessions?limit=&offset=', 400, ['limit', 'offset']],
    ['/api/v1/sessions?limit=5&limit=5', 400, ['limit']],
    ['/api/v1/sessions?offset=9007199254740992', 400, ['offset']],
    ['/api/v1/sessions?limit=99999999999999999999999999', 200, []],
    ['/api/v1/sessions?start_date=2024-01-15T10:30:00%2B23:59&end_date=2024-01-15T10:30:00-23:59', 200, []],
    ['/api/v1/sessions?start_date=2024-01-15T10:30:00+02:00', 400, ['start_date']],
    ['/api/v1/analytics/tools?limit=0', 400, ['limit']],
    ['/api/v1/analytics/overview?end_date=2024-02-30', 400, ['end_date']],
  ];
  for (const [target, status, fields] of cases) {
    const answer = await send(t, target, { headers: { 'x-api-key': key } });
    expect(answer.status, `${target} ${answer.text}`).toBe(status);
    if (status === 400) expectErrorEnvelope(answer.json, 'VALIDATION_ERROR', fields);
  }
});
