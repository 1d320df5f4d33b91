// What Claude Code's OTLP records become (src/otlp/telemetry-from-logs.ts, telemetry-from-metrics.ts): events in
// the shape POST /api/v1/events takes, model requests, failed requests and per-session counter points. Records are
// built directly as decoded OtlpValue objects, in both spellings Claude Code has used (numbers as strings before
// v2.1.122, numbers after).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateEvent } from '../src/ingest/validate-event.js';
import { attrBoolean, attrCount, attrNumber, attributesDigest, attrText } from '../src/otlp/otlp-attribute.js';
import type { OtlpAttributes, OtlpLogRecord, OtlpLogs, OtlpMetric, OtlpMetrics, OtlpNumberPoint, OtlpValue } from '../src/otlp/otlp-records.js';
import { telemetryFromLogs, type TelemetryFromLogs } from '../src/otlp/telemetry-from-logs.js';
import { telemetryFromMetrics } from '../src/otlp/telemetry-from-metrics.js';
import type { MetricPoint } from '../src/usage/metric-point.js';

const SESSION = '3f2a9c1e-6b7d-4e8f-9a0b-1c2d3e4f5a6b';
const OTHER_SESSION = '7d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6';
const T0 = '2025-06-01T12:00:00.500Z';
const T0_NANOS = '1748779200500000000';

const str = (value: string): OtlpValue => ({ kind: 'string', value });
const int = (value: number | bigint): OtlpValue => ({ kind: 'int', value: String(value) });
const dbl = (value: number): OtlpValue => ({ kind: 'double', value });
const bool = (value: boolean): OtlpValue => ({ kind: 'bool', value });

type Style = 'old' | 'new';
/** A number as Claude Code spelled it: a string before v2.1.122, an int (or double for fractions) after. */
function num(n: number, style: Style): OtlpValue {
  if (style === 'old') return str(String(n));
  return Number.isInteger(n) ? int(n) : dbl(n);
}

type AttrInput = Record<string, OtlpValue | string | number | boolean>;
function attrs(input: AttrInput): OtlpAttributes {
  return new Map(
    Object.entries(input).map(([key, v]) => [
      key,
      typeof v === 'string' ? str(v) : typeof v === 'number' ? (Number.isInteger(v) ? int(v) : dbl(v)) : typeof v === 'boolean' ? bool(v) : v,
    ]),
  );
}

interface RecordInput {
  eventName?: string;
  body?: OtlpValue;
  attributes: AttrInput;
  timeUnixNano?: string;
  observedTimeUnixNano?: string;
}

function record(input: RecordInput): OtlpLogRecord {
  return {
    timeUnixNano: input.timeUnixNano ?? '0',
    observedTimeUnixNano: input.observedTimeUnixNano ?? '0',
    severityNumber: 9,
    eventName: input.eventName ?? '',
    body: input.body ?? { kind: 'empty' },
    attributes: attrs(input.attributes),
  };
}

/** A Claude Code event record: the body names it, the standard attributes are set. */
function ccEvent(name: string, extra: AttrInput, sequence = 1): OtlpLogRecord {
  return record({
    body: str(`claude_code.${name}`),
    timeUnixNano: T0_NANOS,
    attributes: { 'session.id': SESSION, 'event.name': name, 'event.timestamp': T0, 'event.sequence': sequence, 'user.id': 'u1', ...extra },
  });
}

function logs(records: OtlpLogRecord[], resource: AttrInput = { 'service.name': 'claude-code' }): OtlpLogs {
  return { resources: [{ attributes: attrs(resource), scopes: [{ name: 'com.anthropic.claude_code.events', version: '1', records }] }], recordCount: records.length };
}

function map(records: OtlpLogRecord[], previewChars = 40): TelemetryFromLogs {
  return telemetryFromLogs(logs(records), { previewChars });
}

function only<T>(items: T[]): T {
  expect(items).toHaveLength(1);
  return items[0] as T;
}

function codePoints(text: string): number {
  return [...text].length;
}

/** Every event a mapping produced is one POST /api/v1/events accepts, with an id within the contract's limit. */
function expectValidEvents(result: TelemetryFromLogs): void {
  for (const e of result.events) {
    const check = validateEvent(e);
    expect(check.ok, JSON.stringify({ e, check })).toBe(true);
    expect(codePoints(e.event_id)).toBeLessThanOrEqual(128);
    expect(e.event_id.startsWith('otlp:')).toBe(true);
  }
}

describe('attribute readers', () => {
  it('read numbers from ints, doubles and strings holding a number, and nothing else', () => {
    const a = attrs({ i: int(12), d: dbl(1.5), s: str('12'), f: str(' 0.25 '), e: str('1e3'), neg: str('-3'), bad: str('12abc'), empty: str(''), nan: str('NaN'), inf: str('Infinity'), b: bool(true), dinf: dbl(Infinity) });
    expect(attrNumber(a, 'i')).toBe(12);
    expect(attrNumber(a, 'd')).toBe(1.5);
    expect(attrNumber(a, 's')).toBe(12);
    expect(attrNumber(a, 'f')).toBe(0.25);
    expect(attrNumber(a, 'e')).toBe(1000);
    expect(attrNumber(a, 'neg')).toBe(-3);
    for (const key of ['bad', 'empty', 'nan', 'inf', 'b', 'dinf', 'absent']) expect(attrNumber(a, key), key).toBeNull();
    expect(attrCount(a, 'i')).toBe(12);
    for (const key of ['d', 'neg', 'bad']) expect(attrCount(a, key), key).toBeNull();
    expect(attrNumber(attrs({ big: int(2n ** 63n - 1n) }), 'big')).toBe(Number(2n ** 63n - 1n));
  });

  it('read booleans from bools and the strings "true"/"false", and text from scalars', () => {
    const a = attrs({ t: str('true'), f: str('FALSE'), b: bool(false), x: str('yes'), n: int(1) });
    expect(attrBoolean(a, 't')).toBe(true);
    expect(attrBoolean(a, 'f')).toBe(false);
    expect(attrBoolean(a, 'b')).toBe(false);
    for (const key of ['x', 'n', 'absent']) expect(attrBoolean(a, key), key).toBeNull();
    const t = attrs({ s: str('abc'), i: int(7), empty: str(''), arr: { kind: 'array', values: [str('a')] } });
    expect(attrText(t, 's')).toBe('abc');
    expect(attrText(t, 'i')).toBe('7');
    for (const key of ['empty', 'arr', 'absent']) expect(attrText(t, key), key).toBeNull();
  });

  it('digest attributes the same whatever their order or the spelling of their numbers', () => {
    const a = attrs({ x: int(5), y: str('z'), flag: bool(true) });
    const b = attrs({ flag: str('true'), y: str('z'), x: str('5') });
    expect(attributesDigest(a)).toBe(attributesDigest(b));
    expect(attributesDigest(a)).toMatch(/^[0-9a-f]{32}$/);
    expect(attributesDigest(a)).not.toBe(attributesDigest(attrs({ x: int(6), y: str('z'), flag: bool(true) })));
  });
});

describe('log records: name, session and instant', () => {
  it('take the name from eventName, else a string body, else event.name, with or without the claude_code. prefix', () => {
    const base = { 'session.id': SESSION, 'event.timestamp': T0, tool_name: 'Bash', tool_use_id: 'toolu_1' };
    const fromEventName = record({ eventName: 'claude_code.tool_result', body: str('claude_code.user_prompt'), attributes: { ...base, 'event.name': 'user_prompt' } });
    const fromBody = record({ body: str('tool_result'), attributes: { ...base, 'event.name': 'user_prompt' } });
    const fromAttribute = record({ attributes: { ...base, 'event.name': 'claude_code.tool_result' } });
    for (const r of [fromEventName, fromBody, fromAttribute]) {
      expect(map([r]).events.map((e) => e.event_type)).toEqual(['tool_use', 'tool_result']);
    }
    const nameless = map([record({ attributes: base })]);
    expect(nameless).toMatchObject({ events: [], rejected: 1, ignored: 0 });
    expect(nameless.rejectedReasons[0]).toMatch(/no event name/);
  });

  it('key the session on session.id: an RFC 4122 UUID in any case (stored lower-case), else the record is rejected', () => {
    const upper = map([ccEvent('user_prompt', { 'session.id': SESSION.toUpperCase() })]);
    expect(only(upper.events).session_id).toBe(SESSION);
    const bad = map([ccEvent('user_prompt', { 'session.id': 'not-a-uuid' }), ccEvent('api_request', { 'session.id': '', input_tokens: 1 })]);
    expect(bad).toMatchObject({ events: [], modelRequests: [], rejected: 2 });
    expect(bad.rejectedReasons).toEqual(['user_prompt: session.id is not a UUID', 'api_request: session.id is missing']);
    // A collector may have moved it onto the resource.
    const onResource = telemetryFromLogs(logs([record({ eventName: 'user_prompt', attributes: { 'event.timestamp': T0 } })], { 'session.id': SESSION }), { previewChars: 0 });
    expect(only(onResource.events).session_id).toBe(SESSION);
  });

  it('take the instant from event.timestamp, else timeUnixNano, else observedTimeUnixNano, else reject', () => {
    const at = (input: Partial<RecordInput>) => map([record({ eventName: 'user_prompt', ...input, attributes: { 'session.id': SESSION, ...input.attributes } })]);
    expect(only(at({ attributes: { 'event.timestamp': '2025-06-01T14:00:00.250+02:00' }, timeUnixNano: '1' }).events).timestamp).toBe('2025-06-01T12:00:00.250Z');
    expect(only(at({ timeUnixNano: T0_NANOS, observedTimeUnixNano: '1' }).events).timestamp).toBe(T0);
    expect(only(at({ attributes: { 'event.timestamp': 'yesterday' }, timeUnixNano: T0_NANOS }).events).timestamp).toBe(T0);
    expect(only(at({ observedTimeUnixNano: '1748779200500999999' }).events).timestamp).toBe(T0);
    const none = at({});
    expect(none).toMatchObject({ events: [], rejected: 1 });
    expect(none.rejectedReasons).toEqual(['user_prompt: no usable event.timestamp or time']);
  });

  it('ignore (not reject) kinds the gateway does not keep, before looking at their session or instant', () => {
    const names = ['tool_decision', 'assistant_response', 'api_refusal', 'api_retries_exhausted', 'auth', 'hook_execution_start', 'hook_execution_complete', 'plugin_loaded', 'plugin_installed', 'mcp_server_connection', 'skill_activated', 'feedback_survey', 'some_future_event'];
    const result = map(names.map((name) => record({ eventName: `claude_code.${name}`, attributes: { tool_name: 'Bash', tool_use_id: 'x' } })));
    expect(result).toEqual({ events: [], modelRequests: [], errors: [], rejected: 0, rejectedReasons: [], ignored: names.length });
  });
});

describe('log records by kind', () => {
  it('user_prompt → prompt_submit with a preview only of exported prompt text, cut like hooks cut it', () => {
    const redacted = only(map([ccEvent('user_prompt', { prompt_length: 12, prompt: '<REDACTED>', 'prompt.id': 'p-1' })]).events);
    expect(redacted).toEqual({ event_type: 'prompt_submit', session_id: SESSION, timestamp: T0, event_id: 'otlp:prompt:p-1', data: { prompt_length: 12, prompt_id: 'p-1' } });

    const text = '😀'.repeat(10) + 'x'.repeat(50);
    const exported = only(map([ccEvent('user_prompt', { prompt_length: 60, prompt: text, 'prompt.id': 'p-2' })], 12).events);
    expect(exported.data['prompt_preview']).toBe('😀'.repeat(10) + 'xx');
    const off = only(map([ccEvent('user_prompt', { prompt: text, 'prompt.id': 'p-2' })], 0).events);
    expect(off.data).not.toHaveProperty('prompt_preview');

    const noPromptId = only(map([ccEvent('user_prompt', { prompt_length: 3 })]).events);
    expect(noPromptId.event_id).toMatch(/^otlp:user_prompt:[0-9a-f]{32}$/);
  });

  it('tool_result → a tool_use at the instant minus its duration and a tool_result at the instant', () => {
    const ok = map([ccEvent('tool_result', { tool_name: 'Bash', tool_use_id: 'toolu_01', success: 'true', duration_ms: 1500, decision_type: 'accept', tool_result_size_bytes: 10 })]);
    expect(ok.events).toEqual([
      { event_type: 'tool_use', session_id: SESSION, timestamp: '2025-06-01T11:59:59Z', event_id: 'otlp:tool_use:toolu_01', data: { tool_name: 'Bash', tool_use_id: 'toolu_01' } },
      { event_type: 'tool_result', session_id: SESSION, timestamp: T0, event_id: 'otlp:tool_result:toolu_01', data: { tool_name: 'Bash', tool_use_id: 'toolu_01', is_error: false, duration_ms: 1500 } },
    ]);
    expectValidEvents(ok);

    const failed = map([ccEvent('tool_result', { tool_name: 'Read', tool_use_id: 'toolu_02', success: 'false', duration_ms: 3, error_type: 'Error:ENOENT', error: 'ENOENT: no such file /home/me/secret.txt', tool_input: '{"file_path":"/home/me/secret.txt"}' })], 8);
    const [use, result] = failed.events;
    expect(use?.data).toEqual({ tool_name: 'Read', tool_use_id: 'toolu_02', tool_input_preview: '{"file_p' });
    expect(result?.data).toEqual({ tool_name: 'Read', tool_use_id: 'toolu_02', is_error: true, duration_ms: 3, error_type: 'Error:ENOENT', tool_output_preview: 'ENOENT: ' });

    // Without success, an error_type says it failed; without a duration the call is placed at the instant.
    const bare = map([ccEvent('tool_result', { tool_name: 'Edit', tool_use_id: 'toolu_03', error_type: 'ShellError' })]);
    expect(bare.events.map((e) => [e.timestamp, e.data['is_error']])).toEqual([[T0, undefined], [T0, true]]);
  });

  it('reject a tool_result without tool_name; fall back to digest ids when the tool_use_id is missing or too long', () => {
    const noName = map([ccEvent('tool_result', { tool_use_id: 'toolu_04', success: 'true' })]);
    expect(noName).toMatchObject({ events: [], rejected: 1, rejectedReasons: ['tool_result: tool_name is missing'] });

    const longId = 'toolu_' + 'a'.repeat(150);
    for (const extra of [{}, { tool_use_id: longId }] as AttrInput[]) {
      const result = map([ccEvent('tool_result', { tool_name: 'Bash', ...extra })]);
      expect(result.events.map((e) => e.event_id.replace(/[0-9a-f]{32}$/, 'H'))).toEqual(['otlp:tool_use:H', 'otlp:tool_result:H']);
      expectValidEvents(result);
    }
  });

  it('compaction → pre_compact and subagent_completed → subagent_stop', () => {
    const compact = only(map([ccEvent('compaction', { trigger: 'auto', success: 'true', duration_ms: 4200, pre_tokens: 150000, post_tokens: 9000, error: 'x' })]).events);
    expect(compact).toMatchObject({ event_type: 'pre_compact', data: { trigger: 'auto', success: true, duration_ms: 4200, pre_tokens: 150000, post_tokens: 9000 } });
    expect(Object.keys(compact.data).sort()).toEqual(['duration_ms', 'post_tokens', 'pre_tokens', 'success', 'trigger']);
    expect(compact.event_id).toMatch(/^otlp:compaction:[0-9a-f]{32}$/);

    const sub = only(map([ccEvent('subagent_completed', { agent_type: 'Explore', 'agent.source': 'built-in', is_built_in: 'true', is_async: false, total_tokens: 31000, total_tool_uses: 7, duration_ms: 65000, model: 'claude-haiku-4-5' })]).events);
    expect(sub).toMatchObject({
      event_type: 'subagent_stop',
      data: { agent_type: 'Explore', agent_source: 'built-in', is_built_in: true, is_async: false, total_tokens: 31000, total_tool_uses: 7, duration_ms: 65000, model: 'claude-haiku-4-5' },
    });
    expect(sub.event_id).toMatch(/^otlp:subagent_completed:[0-9a-f]{32}$/);
  });

  it('api_request → a model request (not an event), keyed on request_id, else client_request_id, else the record', () => {
    const tokens = { input_tokens: 10, output_tokens: 200, cache_read_tokens: 3000, cache_creation_tokens: 400 };
    const result = map([
      ccEvent('api_request', { ...tokens, request_id: 'req_011', client_request_id: 'c-1', model: 'claude-sonnet-4-5', cost_usd: 0.0123, cost_usd_micros: 12345, speed: 'fast' }),
      ccEvent('api_request', { ...tokens, client_request_id: 'c-2', cost_usd: 0.0123 }, 2),
      ccEvent('api_request', { output_tokens: 5, speed: 'normal' }, 3),
    ]);
    expect(result.events).toEqual([]);
    const [a, b, c] = result.modelRequests;
    expect(a).toEqual({
      sessionId: SESSION, requestKey: 'req_011', model: 'claude-sonnet-4-5', ts: Date.parse(T0),
      inputTokens: 10, outputTokens: 200, cacheWrite5mTokens: 400, cacheWrite1hTokens: 0, cacheReadTokens: 3000,
      reportedCostNanos: 12_345_000, fast: true, source: 'otlp',
    });
    expect(b).toMatchObject({ requestKey: 'otlp-client:c-2', model: '', reportedCostNanos: 12_300_000, fast: false });
    expect(c).toMatchObject({ inputTokens: 0, outputTokens: 5, cacheWrite5mTokens: 0, cacheReadTokens: 0, reportedCostNanos: null });
    expect(c?.requestKey).toMatch(/^otlp-record:[0-9a-f]{32}$/);
  });

  it('reject an api_request without any token count or with one that is not a whole number ≥ 0', () => {
    const result = map([
      ccEvent('api_request', { request_id: 'r1', model: 'm', cost_usd: 1 }),
      ccEvent('api_request', { request_id: 'r2', input_tokens: -1, output_tokens: 1 }),
      ccEvent('api_request', { request_id: 'r3', input_tokens: 1.5 }),
      ccEvent('api_request', { request_id: 'r4', input_tokens: 'lots' }),
    ]);
    expect(result.modelRequests).toEqual([]);
    expect(result.rejected).toBe(4);
    expect(result.rejectedReasons).toEqual(['api_request: has no token counts', 'api_request: input_tokens is not a whole number ≥ 0']);
  });

  it('api_error → a failed model request, keyed like a request', () => {
    const result = map([
      ccEvent('api_error', { request_id: 'req_9', model: 'claude-opus-4-1', status_code: 529, error: 'Overloaded', attempt: 2 }),
      ccEvent('api_error', { client_request_id: 'c-9', status_code: 'n/a' }, 2),
    ]);
    expect(result.errors).toEqual([
      { sessionId: SESSION, errorKey: 'req_9', model: 'claude-opus-4-1', ts: Date.parse(T0), statusCode: 529 },
      { sessionId: SESSION, errorKey: 'otlp-client:c-9', model: '', ts: Date.parse(T0), statusCode: null },
    ]);
    expect(result.events).toEqual([]);
  });
});

/** One record of every kept kind, its numbers spelled in `style`. */
function sampleRecords(style: Style, sequence: number, n: number): OtlpLogRecord[] {
  const v = (x: number) => num(x, style);
  return [
    ccEvent('user_prompt', { prompt_length: v(n), 'prompt.id': `p-${sequence}` }, sequence),
    ccEvent('tool_result', { tool_name: 'Bash', tool_use_id: `toolu_${sequence}`, success: 'true', duration_ms: v(n), tool_input_size_bytes: v(n) }, sequence + 1),
    ccEvent('compaction', { trigger: 'manual', success: 'true', duration_ms: v(n), pre_tokens: v(n), post_tokens: v(n) }, sequence + 2),
    ccEvent('subagent_completed', { agent_type: 'Plan', total_tokens: v(n), total_tool_uses: v(n), duration_ms: v(n) }, sequence + 3),
    ccEvent('api_request', { input_tokens: v(n), output_tokens: v(n + 1), cache_read_tokens: v(n), cache_creation_tokens: v(n), cost_usd: v(n / 1000), duration_ms: v(n) }, sequence + 4),
    ccEvent('api_request', { request_id: `req_${sequence}`, input_tokens: v(n), cost_usd_micros: v(n) }, sequence + 5),
    ccEvent('api_error', { status_code: v(500), duration_ms: v(n), attempt: v(1) }, sequence + 6),
  ];
}

describe('log records: spelling, determinism, validity', () => {
  it('give the same result for numbers sent as strings (before v2.1.122) and as numbers', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000 }), fc.integer({ min: 0, max: 2 ** 40 }), (sequence, n) => {
        const old = map(sampleRecords('old', sequence, n));
        const current = map(sampleRecords('new', sequence, n));
        expect(current).toEqual(old);
        expect(current.rejected).toBe(0);
        expect(current.events).toHaveLength(5);
        expect(current.modelRequests).toHaveLength(2);
        expect(current.errors).toHaveLength(1);
      }),
    );
  });

  it('derive every id from the record: the same records in any order and any batching give the same ids', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 50 }), fc.integer({ min: 0, max: 10_000 })), { maxLength: 6 }),
        fc.integer({ min: 1, max: 4 }),
        fc.infiniteStream(fc.nat()),
        (specs, batches, shuffleSeeds) => {
          const records = specs.flatMap(([sequence, n]) => sampleRecords('new', sequence * 10, n));
          const once = map(records);
          const again = map(records.map((r) => structuredClone(r)));
          expect(again).toEqual(once);
          // Shuffled and split across several exports: the same events, requests and errors.
          const seeds = shuffleSeeds.take(records.length);
          const shuffled = records.map((r, i) => [seeds.next().value as number, i, r] as const).sort((x, y) => x[0] - y[0] || x[1] - y[1]).map(([, , r]) => r);
          const parts: TelemetryFromLogs[] = [];
          for (let i = 0; i < batches; i++) parts.push(map(shuffled.filter((_, k) => k % batches === i)));
          const key = (e: object) => JSON.stringify(e);
          expect(parts.flatMap((p) => p.events).map(key).sort()).toEqual(once.events.map(key).sort());
          expect(parts.flatMap((p) => p.modelRequests).map(key).sort()).toEqual(once.modelRequests.map(key).sort());
          expect(parts.flatMap((p) => p.errors).map(key).sort()).toEqual(once.errors.map(key).sort());
        },
      ),
      { numRuns: 60 },
    );
  });

  it('produce only events validateEvent accepts, with previews never longer than previewChars', () => {
    const anyText = fc.string({ unit: 'grapheme', maxLength: 300 });
    const anyNumber: fc.Arbitrary<OtlpValue> = fc.oneof(
      fc.double().map(dbl),
      fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(int),
      fc.string().map(str),
      fc.integer({ min: 0, max: 10 ** 9 }).map((n) => str(String(n))),
    );
    fc.assert(
      fc.property(
        fc.constantFrom('user_prompt', 'tool_result', 'compaction', 'subagent_completed', 'api_request', 'api_error'),
        fc.record({ prompt: anyText, error: anyText, tool_input: anyText, tool_name: fc.string({ maxLength: 300 }), tool_use_id: fc.string({ maxLength: 300 }), 'prompt.id': fc.string({ maxLength: 300 }), trigger: fc.string() }, { requiredKeys: [] }),
        fc.record({ duration_ms: anyNumber, prompt_length: anyNumber, pre_tokens: anyNumber, total_tokens: anyNumber, input_tokens: anyNumber, 'event.sequence': anyNumber }, { requiredKeys: [] }),
        fc.integer({ min: 0, max: 50 }),
        fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
        (name, texts, numbers, previewChars, nanos) => {
          const r = record({ eventName: name, timeUnixNano: String(nanos), attributes: { 'session.id': SESSION, ...texts, ...numbers } });
          const result = map([r], previewChars);
          expectValidEvents(result);
          for (const e of result.events) {
            for (const [field, value] of Object.entries(e.data)) {
              if (field.endsWith('_preview')) expect(codePoints(value as string)).toBeLessThanOrEqual(previewChars);
            }
          }
          expect(result.events.length + result.modelRequests.length + result.errors.length > 0 || result.rejected === 1).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });
});

// ---- metrics ----

interface PointInput {
  attributes: AttrInput;
  start: bigint;
  time: bigint;
  value: number | null;
  style?: Style;
}

function point(p: PointInput): OtlpNumberPoint {
  const value = p.value === null ? null : p.style === 'old' || !Number.isInteger(p.value) ? { kind: 'double' as const, value: p.value } : { kind: 'int' as const, value: String(p.value) };
  return { attributes: attrs(p.attributes), startTimeUnixNano: String(p.start), timeUnixNano: String(p.time), value };
}

function metric(name: string, temporality: 0 | 1 | 2, points: OtlpNumberPoint[], kind: OtlpMetric['kind'] = 'sum'): OtlpMetric {
  return { name, unit: '', kind, temporality, monotonic: true, points, pointCount: kind === 'other' ? 3 : points.length };
}

function metricsOf(list: OtlpMetric[], resource: AttrInput = {}): OtlpMetrics {
  return { resources: [{ attributes: attrs(resource), scopes: [{ name: 'com.anthropic.claude_code', version: '1', metrics: list }] }], pointCount: list.reduce((n, m) => n + m.pointCount, 0) };
}

const S = 1_748_779_200_000_000_000n;

describe('metrics', () => {
  it('keep active time, lines of code, commits and pull requests per session; drop every other metric', () => {
    const at = (attributes: AttrInput, value: number) => point({ attributes: { 'session.id': SESSION, ...attributes }, start: S, time: S + 60n, value });
    const result = telemetryFromMetrics(
      metricsOf([
        metric('claude_code.active_time.total', 1, [at({ type: 'user' }, 12.5), at({ type: 'cli' }, 3), at({ type: 'other' }, 1)]),
        metric('claude_code.lines_of_code.count', 1, [at({ type: 'added', model: 'm' }, 40), at({ type: 'removed', model: 'm' }, 2)]),
        metric('claude_code.commit.count', 2, [at({}, 1)]),
        metric('claude_code.pull_request.count', 1, [at({}, 1)]),
        metric('claude_code.token.usage', 1, [at({ type: 'input' }, 100), at({ type: 'output' }, 5)]),
        metric('claude_code.cost.usage', 1, [at({}, 0.5)]),
        metric('claude_code.session.count', 1, [at({}, 1)]),
        metric('some.histogram', 1, [], 'other'),
      ]),
    );
    expect(result.rejected).toBe(0);
    expect(result.dropped).toBe(1 + 2 + 1 + 1 + 3);
    expect(result.points.map((p) => [p.metric, p.value, p.cumulative, p.pointKey])).toEqual([
      ['active_time_user_seconds', 12.5, false, `d:${S}:${S + 60n}`],
      ['active_time_cli_seconds', 3, false, `d:${S}:${S + 60n}`],
      ['lines_added', 40, false, `d:${S}:${S + 60n}`],
      ['lines_removed', 2, false, `d:${S}:${S + 60n}`],
      ['commits', 1, true, `c:${S}`],
      ['pull_requests', 1, false, `d:${S}:${S + 60n}`],
    ]);
    for (const p of result.points) {
      expect(p.sessionId).toBe(SESSION);
      expect(p.series).toMatch(/^[0-9a-f]{32}$/);
    }
  });

  it('reject points without a UUID session, with a missing, negative or non-finite value, or of an unusable metric', () => {
    const at = (session: string | null, value: number | null) => point({ attributes: session === null ? { type: 'user' } : { 'session.id': session, type: 'user' }, start: S, time: S + 1n, value });
    const result = telemetryFromMetrics(
      metricsOf([
        metric('claude_code.active_time.total', 1, [at(null, 1), at('nope', 1), at(SESSION, -1), at(SESSION, Infinity), at(SESSION, Number.NaN), at(SESSION, null), at(SESSION, 2)]),
        metric('claude_code.commit.count', 0, [at(SESSION, 1)]),
        metric('claude_code.pull_request.count', 1, [at(SESSION, 1)], 'gauge'),
      ]),
    );
    expect(result.points.map((p) => p.value)).toEqual([2]);
    expect(result.rejected).toBe(8);
    expect(result.dropped).toBe(0);
    expect(result.rejectedReasons).toEqual([
      'claude_code.active_time.total: session.id is missing',
      'claude_code.active_time.total: session.id is not a UUID',
      'claude_code.active_time.total: the value is missing, negative or not finite',
      'claude_code.commit.count: has no aggregation temporality',
      'claude_code.pull_request.count: is not a sum',
    ]);
    const fromResource = telemetryFromMetrics(metricsOf([metric('claude_code.commit.count', 1, [at(null, 1)])], { 'session.id': SESSION }));
    expect(only(fromResource.points).sessionId).toBe(SESSION);
  });

  it('give one series whatever the order or spelling of its attributes, and values as int or double', () => {
    const a = point({ attributes: { 'session.id': SESSION, type: 'added', 'app.version': '2.1.100', n: '3' }, start: S, time: S + 5n, value: 7, style: 'old' });
    const b = point({ attributes: { n: 3, 'app.version': '2.1.100', type: 'added', 'session.id': SESSION }, start: S, time: S + 5n, value: 7 });
    const [pa, pb] = telemetryFromMetrics(metricsOf([metric('claude_code.lines_of_code.count', 1, [a, b])])).points;
    expect(pa).toEqual(pb);
  });

  /** The store's rule (src/usage/metric-point.ts): a delta key counts once, a cumulative key keeps its largest value. */
  function storedTotals(points: readonly MetricPoint[]): Map<string, number> {
    const kept = new Map<string, number>();
    for (const p of points) {
      const key = [p.sessionId, p.metric, p.series, p.pointKey].join('|');
      const held = kept.get(key);
      if (held === undefined || (p.cumulative && p.value > held)) kept.set(key, p.value);
    }
    const totals = new Map<string, number>();
    for (const [key, value] of kept) {
      const [session, name] = key.split('|');
      totals.set(`${session}|${name}`, (totals.get(`${session}|${name}`) ?? 0) + value);
    }
    return totals;
  }

  it('sum a session’s kept points to its total, whatever the order, retries, batching or temporality', () => {
    const kinds = [
      { name: 'claude_code.active_time.total', type: 'user', metric: 'active_time_user_seconds' },
      { name: 'claude_code.active_time.total', type: 'cli', metric: 'active_time_cli_seconds' },
      { name: 'claude_code.lines_of_code.count', type: 'added', metric: 'lines_added' },
      { name: 'claude_code.lines_of_code.count', type: 'removed', metric: 'lines_removed' },
      { name: 'claude_code.commit.count', type: null, metric: 'commits' },
      { name: 'claude_code.pull_request.count', type: null, metric: 'pull_requests' },
    ] as const;
    // A process: one Claude Code run exporting several series (kind × model) of one session, as deltas or as
    // cumulative totals restarting from 0 at each new start time; all its series share the export times, and two
    // processes may export the same series. Increments are whole numbers so sums are exact.
    const processArb = fc.record({
      session: fc.constantFrom(SESSION, OTHER_SESSION),
      temporality: fc.constantFrom(1 as const, 2 as const),
      style: fc.constantFrom<Style>('old', 'new'),
      series: fc.uniqueArray(fc.record({ kind: fc.nat({ max: kinds.length - 1 }), model: fc.constantFrom('a', 'b') }), {
        minLength: 1,
        maxLength: 4,
        selector: (x) => `${x.kind}|${x.model}`,
      }),
      segments: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 }),
    });
    fc.assert(
      fc.property(
        fc.array(processArb, { minLength: 1, maxLength: 4 }),
        fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 1, maxLength: 50 }),
        fc.array(fc.nat(), { minLength: 1, maxLength: 200 }),
        fc.integer({ min: 1, max: 4 }),
        (processes, increments, noise, batches) => {
          const truth = new Map<string, number>();
          const exported: { metric: OtlpMetric; order: number }[] = [];
          let clock = S;
          let drawn = 0;
          for (const proc of processes) {
            for (const steps of proc.segments) {
              const start = (clock += 1000n);
              const totals = proc.series.map(() => 0);
              let previous = start;
              for (let step = 0; step < steps; step++) {
                const time = (clock += 1000n);
                // One export per interval: every series of the process, grouped by metric name as the SDK does.
                const byName = new Map<string, OtlpNumberPoint[]>();
                proc.series.forEach((one, i) => {
                  const kind = kinds[one.kind]!;
                  const inc = increments[drawn++ % increments.length]!;
                  totals[i]! += inc;
                  const key = `${proc.session}|${kind.metric}`;
                  truth.set(key, (truth.get(key) ?? 0) + inc);
                  const attributes: AttrInput = { 'session.id': proc.session, model: one.model, ...(kind.type === null ? {} : { type: kind.type }) };
                  const p = proc.temporality === 1
                    ? point({ attributes, start: previous, time, value: inc, style: proc.style })
                    : point({ attributes, start, time, value: totals[i]!, style: proc.style });
                  byName.set(kind.name, [...(byName.get(kind.name) ?? []), p]);
                });
                previous = time;
                const list = [...byName].map(([name, points]) => metric(name, proc.temporality, points));
                // Some exports sent again (a retry); all of them in a noisy order.
                const copies = (noise[exported.length % noise.length] ?? 0) % 3 === 0 ? 2 : 1;
                for (let c = 0; c < copies; c++) {
                  for (const m of list) exported.push({ metric: m, order: noise[(exported.length * 7) % noise.length] ?? 0 });
                }
              }
            }
          }
          exported.sort((x, y) => x.order - y.order);
          const points: MetricPoint[] = [];
          for (let b = 0; b < batches; b++) {
            const batch = exported.filter((_, i) => i % batches === b).map((e) => e.metric);
            const result = telemetryFromMetrics(metricsOf(batch));
            expect(result.rejected).toBe(0);
            points.push(...result.points);
          }
          expect(Object.fromEntries(storedTotals(points))).toEqual(Object.fromEntries(truth));
        },
      ),
      { numRuns: 200 },
    );
  });
});
