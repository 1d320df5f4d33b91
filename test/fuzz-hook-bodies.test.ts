// Fuzzing POST /api/v1/hooks/claude-code (docs/api.md#claude-code-hooks) with Claude Code hook payloads (the project's
// fixtures, and the real samples when TRENCHCOAT_SAMPLES_DIR names them), mutated: fields removed, retyped (null, numbers, arrays, objects, huge strings,
// deep nesting, NUL characters, lone surrogates), hook names and session ids replaced; and with
// bodies that are not payloads at all. The answer is never a 5xx: 400 naming `body`, `session_id`
// or `hook_event_name` exactly when a model of the hooks endpoint (written here) says so, else 200 `{}`. After the
// run, the events stored are exactly the deliveries of mapped hook events, of the mapped types,
// folded into sessions, and nothing beyond a preview of prompt text, tool input or output is kept.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DeepJson,
  expectNothingHalfWritten,
  expectSaneAnswer,
  expectStillServing,
  jsonText,
  postBody,
  shown,
  storableText,
} from './support/fuzz-support.js';
import { HOOK_EVENT_TABLE, codePoints, FIXTURE_HOOKS, HOOK_PATH, SAMPLE_HOOKS, storedRows, type HookSource } from './support/hooks-support.js';
import { accountKey } from './support/ingest-support.js';
import { describeNeeding } from './support/requirements.js';
import { expectErrorEnvelope, uuidFor } from './support/rest-read-helpers.js';
import { startTestGateway, type TestGateway } from './support/test-gateway.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PREVIEW_CHARS = 100;
const LABEL_CHARS = 200;
/** The `data` keys a hook event may keep: labels, flags, previews, and a tool result's outcome. */
const LABELS = ['tool_name', 'tool_use_id', 'agent_id', 'agent_type', 'permission_mode', 'source', 'reason', 'model', 'trigger', 'notification_type'];
const FLAGS = ['stop_hook_active', 'is_interrupt'];
const PREVIEWS = ['prompt_preview', 'tool_input_preview', 'tool_output_preview', 'message_preview', 'last_assistant_message_preview', 'custom_instructions_preview'];
const KEPT = new Set([...LABELS, ...FLAGS, ...PREVIEWS, 'is_error', 'duration_ms']);

let clock = Date.parse('2026-04-01T08:00:00Z');
let t: TestGateway;

beforeAll(async () => {
  t = await startTestGateway({ now: () => (clock += 7) });
});
afterAll(() => t.close());

// ---------- the model of the hooks endpoint ----------

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof DeepJson);
}

type Outcome = { status: 400; fields: string[] } | { status: 200; eventType: string | null };

function expectedOutcome(payload: unknown): Outcome {
  if (!isPlainObject(payload)) return { status: 400, fields: ['body'] };
  const fields: string[] = [];
  const sessionId = payload['session_id'];
  if (typeof sessionId !== 'string' || !UUID.test(sessionId)) fields.push('session_id');
  const name = payload['hook_event_name'];
  if (typeof name !== 'string' || name === '') fields.push('hook_event_name');
  if (fields.length > 0) return { status: 400, fields };
  return { status: 200, eventType: Object.hasOwn(HOOK_EVENT_TABLE, name as string) ? HOOK_EVENT_TABLE[name as string]! : null };
}

// ---------- generators ----------

const REMOVE = Symbol('remove');

const oddString = fc.constantFrom('\ud800', '\udfff', 'a\udc00b', '\ud83d', 'x\u0000y', '\u0000', 'ok\ud83d\ude00', '', ' ', '\u202e', 'é'.normalize('NFD'));

const valueArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.constant(REMOVE) },
  { weight: 2, arbitrary: fc.constantFrom<unknown>(null, 0, -1, 1.5, 1e300, true, false, [], {}, '[]', '{}', 'null') },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 2, arbitrary: fc.string({ maxLength: 30 }) },
  { weight: 2, arbitrary: oddString },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('a', '😀', '\u0000', '\ud800', 'é'), fc.integer({ min: 100, max: 300_000 })).map(([unit, n]) => unit.repeat(n)) },
  { weight: 1, arbitrary: fc.oneof(fc.integer({ min: 1, max: 200 }), fc.integer({ min: 1000, max: 30_000 })).map((depth) => new DeepJson(depth)) },
);

const hookNameArb = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...Object.keys(HOOK_EVENT_TABLE)) },
  {
    weight: 2,
    arbitrary: fc.constantFrom<unknown>(
      'PermissionRequest', 'Unknown', '', 'pretooluse', 'PreToolUse ', ' PreToolUse', '__proto__', 'constructor', 'toString',
      'hasOwnProperty', 'PreToolUse\u0000', null, 0, true, [], {}, ['PreToolUse'], { name: 'PreToolUse' },
    ),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 20 }) },
);

const sessionIdArb = fc.oneof(
  { weight: 4, arbitrary: fc.uuid() },
  { weight: 2, arbitrary: fc.uuid().map((id) => id.toUpperCase()) },
  {
    weight: 2,
    arbitrary: fc.constantFrom<unknown>(
      null, 0, [], {}, '', 'not-a-uuid', '550e8400-e29b-41d4-a716-44665544000', '550e8400-e29b-41d4-a716-4466554400000',
      '{550e8400-e29b-41d4-a716-446655440000}', ' 550e8400-e29b-41d4-a716-446655440000', '550e8400e29b41d4a716446655440000',
      '550e8400-e29b-41d4-a716-446655440000\u0000', ['550e8400-e29b-41d4-a716-446655440000'],
    ),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
);

const FIELDS = [
  'session_id', 'hook_event_name', 'tool_name', 'tool_use_id', 'tool_input', 'tool_response', 'prompt', 'duration_ms', 'error',
  'message', 'last_assistant_message', 'custom_instructions', 'stop_hook_active', 'is_interrupt', 'agent_id', 'agent_type',
  'permission_mode', 'source', 'reason', 'model', 'trigger', 'notification_type', 'cwd', 'transcript_path', '__proto__',
];

/** One change to a payload: a field set to a generated value (or removed), or its session or hook name replaced. */
const mutationArb = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(fc.constantFrom(...FIELDS), valueArb) },
  { weight: 2, arbitrary: fc.tuple(fc.constant('hook_event_name'), hookNameArb) },
  { weight: 2, arbitrary: fc.tuple(fc.constant('session_id'), sessionIdArb) },
);

type Sample = Record<string, unknown>;

/** A sample with 0–4 mutations (as own properties, even `__proto__`, as JSON.parse makes them). */
function payloadArb(samples: readonly Sample[]): fc.Arbitrary<Sample> {
  return fc.tuple(fc.constantFrom(...samples), fc.array(mutationArb, { maxLength: 4 })).map(([sample, mutations]) => {
    const payload: Sample = { ...sample };
    for (const [field, value] of mutations) {
      if (value === REMOVE) delete payload[field];
      else Object.defineProperty(payload, field, { value, enumerable: true, writable: true, configurable: true });
    }
    return payload;
  });
}

/** A body: a mutated payload mostly, sometimes any JSON, text, or a truncated payload. */
function bodyArb(samples: readonly Sample[]): fc.Arbitrary<{ payload?: unknown; text: string }> {
  return fc.oneof(
    { weight: 12, arbitrary: payloadArb(samples).map((payload) => ({ payload, text: jsonText(payload) })) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((payload) => ({ payload, text: JSON.stringify(payload) })) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom(...samples), fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom('', ' ', 'x'))
        .map(([sample, at, tail]) => {
          const json = JSON.stringify(sample);
          return { text: `${json.slice(0, Math.floor(json.length * at))}${tail}` };
        }),
    },
    { weight: 1, arbitrary: fc.constantFrom('', 'null', '[]', 'hook', '{"session_id":', '\ufeff{}').map((text) => ({ text })) },
  );
}

/** The outcome for a body: from the generated payload, else from the body as the server would parse it. */
function outcomeOf(body: { payload?: unknown; text: string }): Outcome {
  if ('payload' in body) return expectedOutcome(body.payload);
  try {
    return expectedOutcome(JSON.parse(body.text));
  } catch {
    return { status: 400, fields: ['body'] };
  }
}

// ---------- the property ----------

function fuzzes(source: HookSource): void {
  it('mutated payloads and junk bodies: 200 `{}` or the 400 the model predicts, never a 5xx; only mapped events stored, only previews kept', async () => {
    const samples = source.logs().flatMap((log) => log.payloads);
    expect(samples.length).toBe(source.payloadCount);
    const { account, key } = await accountKey(t);
    const storedTypes: string[] = [];
    const statuses = new Set<number>();
    await fc.assert(
      fc.asyncProperty(fc.array(bodyArb(samples), { minLength: 1, maxLength: 4 }), async (bodies) => {
        const answers = await Promise.all(bodies.map((body) => postBody(t, HOOK_PATH, key, body.text)));
        answers.forEach((answer, i) => {
          const body = bodies[i]!;
          const expected = outcomeOf(body);
          const label = `${shown(body.text)} → ${answer.status} ${answer.text.slice(0, 400)}`;
          expectSaneAnswer(answer, body.text);
          statuses.add(answer.status);
          expect(answer.status, label).toBe(expected.status);
          if (expected.status === 400) expectErrorEnvelope(answer.json, 'VALIDATION_ERROR', expected.fields);
          else {
            expect(answer.json, label).toStrictEqual({});
            if (expected.eventType !== null) storedTypes.push(expected.eventType);
          }
        });
      }),
      { numRuns: 100 },
    );
    expect([...statuses].sort()).toEqual([200, 400]);

    await expectNothingHalfWritten(t, account, key, storedTypes.length);
    const rows = await storedRows(t, account);
    expect(rows.map((r) => r.event_type).sort()).toEqual(storedTypes.sort());
    for (const row of rows) {
      const label = row.raw.slice(0, 400);
      for (const [field, value] of Object.entries(row.data)) {
        expect(KEPT.has(field), `${field} kept in ${label}`).toBe(true);
        if (PREVIEWS.includes(field)) expect(codePoints(value as string), label).toBeLessThanOrEqual(PREVIEW_CHARS);
        if (LABELS.includes(field)) expect(codePoints(value as string), label).toBeLessThanOrEqual(LABEL_CHARS);
      }
      expect(row.event_id, label).toMatch(/^hook:/);
    }
    await expectStillServing(t);
  });
}

describe('the project fixtures', () => fuzzes(FIXTURE_HOOKS));
describeNeeding('samples', 'the real Claude Code samples (set TRENCHCOAT_SAMPLES_DIR to run the real Claude Code samples)', () => fuzzes(SAMPLE_HOOKS));

it('a tool call and its result paired by any tool_use_id (NUL, lone surrogates, long, empty): both 200, timed when the id is storable text', async () => {
  const { account, key } = await accountKey(t);
  const idArb = fc.oneof(oddString, fc.string({ maxLength: 20 }), fc.string({ unit: 'binary', minLength: 190, maxLength: 260 }));
  let stored = 0;
  let sessions = 0;
  await fc.assert(
    fc.asyncProperty(idArb, async (toolUseId) => {
      const sessionId = uuidFor(++sessions);
      const base = { session_id: sessionId, tool_name: 'Bash', tool_use_id: toolUseId };
      const call = await postBody(t, HOOK_PATH, key, { ...base, hook_event_name: 'PreToolUse', tool_input: { command: 'ls' } });
      const result = await postBody(t, HOOK_PATH, key, { ...base, hook_event_name: 'PostToolUse', tool_response: { stdout: '' } });
      for (const answer of [call, result]) {
        expectSaneAnswer(answer, base);
        expect(answer.status, `${shown(base)} → ${answer.text}`).toBe(200);
      }
      stored += 2;
      const rows = await t.gateway.database.db
        .selectFrom('events')
        .select(['event_type', 'ts', 'data'])
        .where('session_id', '=', sessionId)
        .orderBy('id')
        .execute();
      expect(rows.map((r) => r.event_type)).toEqual(['tool_use', 'tool_result']);
      const [use, res] = rows as [(typeof rows)[number], (typeof rows)[number]];
      // Both deliveries keep the id's first LABEL_CHARS characters, and are paired by those.
      const timed = storableText([...toolUseId].slice(0, LABEL_CHARS).join(''));
      expect((JSON.parse(res.data) as Record<string, unknown>)['duration_ms'], shown(base)).toBe(timed ? Number(res.ts) - Number(use.ts) : undefined);
    }),
    { numRuns: 40 },
  );
  await expectNothingHalfWritten(t, account, key, stored);
});
