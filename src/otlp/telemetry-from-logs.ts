/**
 * What Claude Code's OTLP log records (its events) become. Pure: no I/O, no clock.
 *
 * Every record:
 * - Its name is `LogRecord.eventName`, else a string body, else attribute `event.name`, with any `claude_code.`
 *   prefix stripped. A record with no name is rejected.
 * - Names other than `user_prompt`, `tool_result`, `compaction`, `subagent_completed`, `api_request` and
 *   `api_error` are ignored (counted, not rejected): `tool_decision` (a rejected tool never ran, an accepted one
 *   arrives as its `tool_result`), `assistant_response`, `api_refusal`, `auth`, `hook_*`, `plugin_*` and the rest.
 * - Its session is attribute `session.id` (the resource's when the record has none), which must be an RFC 4122
 *   UUID (stored lower-case); its instant is attribute `event.timestamp` (ISO 8601 with a zone), else
 *   `timeUnixNano`, else `observedTimeUnixNano`. A kept record without a usable session or instant is rejected.
 * - Numbers may be integers, doubles or strings holding a number (Claude Code before 2.1.122); booleans may be
 *   booleans or the strings "true"/"false". Short descriptive strings (names, ids, types) are kept up to 200
 *   characters. Text that may hold user content is kept only as a preview of at most `previewChars` characters
 *   (none when 0), as hooks keep it.
 *
 * By name:
 * - `user_prompt` → a `prompt_submit` {prompt_length, prompt_id (`prompt.id`), prompt_preview}; the preview only
 *   when the prompt text was exported (`OTEL_LOG_USER_PROMPTS=1`), never of the `<REDACTED>` placeholder.
 * - `tool_result` → a `tool_use` at the instant minus `duration_ms` (at the instant when the duration is unknown)
 *   {tool_name, tool_use_id, tool_input_preview when `tool_input` was exported} and a `tool_result` at the instant
 *   {tool_name, tool_use_id, is_error, duration_ms, error_type, tool_output_preview of the `error` text when
 *   exported}. `is_error` is true when `success` is false, or when `success` is absent and an `error_type` is given.
 *   Rejected without a `tool_name`.
 * - `compaction` → a `pre_compact` {trigger, success, duration_ms, pre_tokens, post_tokens}.
 * - `subagent_completed` → a `subagent_stop` {agent_type, agent_source (`agent.source`), is_built_in, is_async,
 *   model, duration_ms, total_tool_uses, total_tokens (of the subagent's final request only)}.
 * - `api_request` → a model request, not an event: its key is `request_id`, else `otlp-client:<client_request_id>`,
 *   else `otlp-record:<digest of all the record's attributes>`; tokens `input_tokens`, `output_tokens`,
 *   `cache_read_tokens`, `cache_creation_tokens` (all cache writes at the 5-minute rate: OTLP does not split them),
 *   a missing one counting 0; Claude Code's cost estimate from `cost_usd_micros` × 1000 nano-USD, else
 *   `cost_usd` × 10⁹ rounded; fast when `speed` is "fast". Rejected when it has no token count at all, or one
 *   that is not a whole number ≥ 0.
 * - `api_error` → a failed model request {model, status_code}, keyed like a model request.
 * - Fields absent from a record are left out of `data`; no `data.source` is added (the store marks the events as
 *   reported by Claude Code, and their ids start with `otlp:`).
 *
 * Event ids are derived from the record alone, so a retried export repeats them and the repeats are duplicates:
 * `otlp:tool_use:<tool_use_id>` and `otlp:tool_result:<tool_use_id>`, `otlp:prompt:<prompt.id>`, else
 * `otlp:<name>:<first 32 hex digits of SHA-256 over session, name, instant and event.sequence>`; an id that would
 * exceed 128 characters (or hold text the store cannot index) falls back to the digest form.
 */
import { createHash } from 'node:crypto';
import { MAX_LABEL_CHARS } from '../hooks/hook-to-event.js';
import { firstCodePoints, preview } from '../hooks/preview.js';
import type { EventType } from '../ingest/event-types.js';
import { normalizeSessionId } from '../ingest/session-id.js';
import { isStorableText } from '../ingest/storable-text.js';
import { MAX_EVENT_ID_LENGTH } from '../ingest/validate-event.js';
import { formatUtc, isWritableInstant, parseDateTime } from '../time/iso-time.js';
import type { ModelRequest, ModelRequestError } from '../usage/model-request.js';
import { attrBoolean, attrCount, attrNumber, attributesDigest, attrText } from './otlp-attribute.js';
import type { OtlpAttributes, OtlpLogRecord, OtlpLogs } from './otlp-records.js';

/** An event in the shape `validateEvent` takes. */
export interface OtlpEvent {
  event_type: EventType;
  session_id: string;
  timestamp: string;
  event_id: string;
  data: Record<string, unknown>;
}

export interface TelemetryFromLogs {
  events: OtlpEvent[];
  modelRequests: ModelRequest[];
  errors: ModelRequestError[];
  /** Records that could not be used (no name, session or instant; a kind's required field missing). */
  rejected: number;
  /** A few distinct reasons, for the answer's `partialSuccess.errorMessage`. */
  rejectedReasons: string[];
  /** Records of kinds the gateway does not keep. */
  ignored: number;
}

/** What Claude Code writes in place of prompt or response text it was not allowed to export. */
export const REDACTED_PLACEHOLDER = '<REDACTED>';

const MAX_REASONS = 5;
const TOKEN_FIELDS = ['input_tokens', 'output_tokens', 'cache_read_tokens', 'cache_creation_tokens'] as const;

interface RecordContext {
  name: string;
  sessionId: string;
  ms: number;
  attributes: OtlpAttributes;
  previewChars: number;
}

type Mapped =
  | { events: OtlpEvent[] }
  | { request: ModelRequest }
  | { error: ModelRequestError }
  | { reason: string };

function eventName(record: OtlpLogRecord): string | null {
  const body = record.body.kind === 'string' ? record.body.value : '';
  const name = record.eventName || body || attrText(record.attributes, 'event.name');
  if (!name) return null;
  return name.startsWith('claude_code.') ? name.slice('claude_code.'.length) : name;
}

/** Nanoseconds since the epoch (a decimal string, '0' when unset) as whole milliseconds; null when unset. */
function nanosToMs(nanos: string): number | null {
  if (!/^\d+$/.test(nanos) || /^0+$/.test(nanos)) return null;
  return Number(BigInt(nanos) / 1_000_000n);
}

function instantOf(record: OtlpLogRecord): number | null {
  const stamp = attrText(record.attributes, 'event.timestamp');
  const parsed = stamp === null ? null : parseDateTime(stamp);
  const candidates = [parsed?.ok ? parsed.ms : null, nanosToMs(record.timeUnixNano), nanosToMs(record.observedTimeUnixNano)];
  for (const ms of candidates) if (ms !== null) return isWritableInstant(ms) ? ms : null;
  return null;
}

/** A short descriptive string (a name, an id, a type), cut like hooks cut them. */
function label(attributes: OtlpAttributes, key: string): string | null {
  const text = attrText(attributes, key);
  return text === null ? null : firstCodePoints(text, MAX_LABEL_CHARS);
}

/** An identifier usable whole in a key: storable text of at most 200 characters; null otherwise. */
function identifier(attributes: OtlpAttributes, key: string): string | null {
  const text = attrText(attributes, key);
  return text !== null && isStorableText(text) && [...text].length <= MAX_LABEL_CHARS ? text : null;
}

/** Text that may hold user content, as a preview; undefined when not exported, redacted or previews are off. */
function contentPreview(attributes: OtlpAttributes, key: string, chars: number): string | undefined {
  const text = attrText(attributes, key);
  return text === null || text === REDACTED_PLACEHOLDER ? undefined : preview(text, chars);
}

/** Sets `data[field]` only when there is a value. */
function put(data: Record<string, unknown>, field: string, value: unknown): void {
  if (value !== null && value !== undefined) data[field] = value;
}

/** A non-negative finite number (durations, token footprints); null otherwise. */
function amount(attributes: OtlpAttributes, key: string): number | null {
  const n = attrNumber(attributes, key);
  return n !== null && n >= 0 ? n : null;
}

function digestId(ctx: RecordContext, name: string): string {
  const sequence = attrText(ctx.attributes, 'event.sequence') ?? '';
  const digest = createHash('sha256').update([ctx.sessionId, ctx.name, String(ctx.ms), sequence].join('\u0000')).digest('hex');
  return `otlp:${name}:${digest.slice(0, 32)}`;
}

/** `otlp:<kind>:<id>` when that fits the event id rules, else the record's digest id under `fallbackKind`. */
function eventId(ctx: RecordContext, kind: string, id: string | null, fallbackKind = kind): string {
  if (id !== null) {
    const candidate = `otlp:${kind}:${id}`;
    if ([...candidate].length <= MAX_EVENT_ID_LENGTH) return candidate;
  }
  return digestId(ctx, fallbackKind);
}

function event(ctx: RecordContext, type: EventType, ms: number, id: string, data: Record<string, unknown>): OtlpEvent {
  return { event_type: type, session_id: ctx.sessionId, timestamp: formatUtc(ms), event_id: id, data };
}

function userPrompt(ctx: RecordContext): Mapped {
  const a = ctx.attributes;
  const data: Record<string, unknown> = {};
  put(data, 'prompt_length', attrCount(a, 'prompt_length'));
  put(data, 'prompt_id', label(a, 'prompt.id'));
  put(data, 'prompt_preview', contentPreview(a, 'prompt', ctx.previewChars));
  const id = eventId(ctx, 'prompt', identifier(a, 'prompt.id'), ctx.name);
  return { events: [event(ctx, 'prompt_submit', ctx.ms, id, data)] };
}

function toolResult(ctx: RecordContext): Mapped {
  const a = ctx.attributes;
  const toolName = label(a, 'tool_name');
  if (toolName === null) return { reason: 'tool_name is missing' };
  const toolUseId = label(a, 'tool_use_id');
  const idPart = identifier(a, 'tool_use_id');
  let duration = amount(a, 'duration_ms');
  if (duration !== null && !isWritableInstant(ctx.ms - Math.round(duration))) duration = null;
  const durationMs = duration === null ? null : Math.round(duration);

  const use: Record<string, unknown> = { tool_name: toolName };
  put(use, 'tool_use_id', toolUseId);
  put(use, 'tool_input_preview', contentPreview(a, 'tool_input', ctx.previewChars));

  const success = attrBoolean(a, 'success');
  const errorType = label(a, 'error_type');
  const result: Record<string, unknown> = { tool_name: toolName };
  put(result, 'tool_use_id', toolUseId);
  result['is_error'] = success === false || (success === null && errorType !== null);
  put(result, 'duration_ms', durationMs);
  put(result, 'error_type', errorType);
  put(result, 'tool_output_preview', contentPreview(a, 'error', ctx.previewChars));

  return {
    events: [
      event(ctx, 'tool_use', ctx.ms - (durationMs ?? 0), eventId(ctx, 'tool_use', idPart), use),
      event(ctx, 'tool_result', ctx.ms, eventId(ctx, 'tool_result', idPart), result),
    ],
  };
}

function compaction(ctx: RecordContext): Mapped {
  const a = ctx.attributes;
  const data: Record<string, unknown> = {};
  put(data, 'trigger', label(a, 'trigger'));
  put(data, 'success', attrBoolean(a, 'success'));
  put(data, 'duration_ms', amount(a, 'duration_ms'));
  put(data, 'pre_tokens', attrCount(a, 'pre_tokens'));
  put(data, 'post_tokens', attrCount(a, 'post_tokens'));
  return { events: [event(ctx, 'pre_compact', ctx.ms, digestId(ctx, ctx.name), data)] };
}

function subagentCompleted(ctx: RecordContext): Mapped {
  const a = ctx.attributes;
  const data: Record<string, unknown> = {};
  put(data, 'agent_type', label(a, 'agent_type'));
  put(data, 'agent_source', label(a, 'agent.source'));
  put(data, 'is_built_in', attrBoolean(a, 'is_built_in'));
  put(data, 'is_async', attrBoolean(a, 'is_async'));
  put(data, 'model', label(a, 'model'));
  put(data, 'duration_ms', amount(a, 'duration_ms'));
  put(data, 'total_tool_uses', attrCount(a, 'total_tool_uses'));
  put(data, 'total_tokens', attrCount(a, 'total_tokens'));
  return { events: [event(ctx, 'subagent_stop', ctx.ms, digestId(ctx, ctx.name), data)] };
}

/** `request_id`, else `otlp-client:<client_request_id>`, else a digest of every attribute of the record. */
function requestKey(attributes: OtlpAttributes): string {
  const requestId = identifier(attributes, 'request_id');
  if (requestId !== null) return requestId;
  const clientId = identifier(attributes, 'client_request_id');
  if (clientId !== null) return `otlp-client:${clientId}`;
  return `otlp-record:${attributesDigest(attributes)}`;
}

function costNanos(attributes: OtlpAttributes): number | null {
  const micros = amount(attributes, 'cost_usd_micros');
  const usd = amount(attributes, 'cost_usd');
  const nanos = micros !== null ? Math.round(micros * 1000) : usd !== null ? Math.round(usd * 1e9) : null;
  return nanos !== null && Number.isSafeInteger(nanos) ? nanos : null;
}

function apiRequest(ctx: RecordContext): Mapped {
  const a = ctx.attributes;
  const tokens: Record<(typeof TOKEN_FIELDS)[number], number> = { input_tokens: 0, output_tokens: 0, cache_read_tokens: 0, cache_creation_tokens: 0 };
  let counted = 0;
  for (const field of TOKEN_FIELDS) {
    const present = a.has(field) && a.get(field)?.kind !== 'empty';
    if (!present) continue;
    const count = attrCount(a, field);
    if (count === null) return { reason: `${field} is not a whole number ≥ 0` };
    tokens[field] = count;
    counted += 1;
  }
  if (counted === 0) return { reason: 'has no token counts' };
  return {
    request: {
      sessionId: ctx.sessionId,
      requestKey: requestKey(a),
      model: label(a, 'model') ?? '',
      ts: ctx.ms,
      inputTokens: tokens.input_tokens,
      outputTokens: tokens.output_tokens,
      cacheWrite5mTokens: tokens.cache_creation_tokens,
      cacheWrite1hTokens: 0,
      cacheReadTokens: tokens.cache_read_tokens,
      reportedCostNanos: costNanos(a),
      fast: attrText(a, 'speed') === 'fast',
      source: 'otlp',
    },
  };
}

function apiError(ctx: RecordContext): Mapped {
  const a = ctx.attributes;
  const status = attrNumber(a, 'status_code');
  return {
    error: {
      sessionId: ctx.sessionId,
      errorKey: requestKey(a),
      model: label(a, 'model') ?? '',
      ts: ctx.ms,
      statusCode: status !== null && Number.isSafeInteger(status) ? status : null,
    },
  };
}

const MAPPERS: Readonly<Record<string, (ctx: RecordContext) => Mapped>> = {
  user_prompt: userPrompt,
  tool_result: toolResult,
  compaction,
  subagent_completed: subagentCompleted,
  api_request: apiRequest,
  api_error: apiError,
};

/** Claude Code's log records (its events) as events, model requests and failed requests, by the rules above. */
export function telemetryFromLogs(logs: OtlpLogs, options: { previewChars: number }): TelemetryFromLogs {
  const out: TelemetryFromLogs = { events: [], modelRequests: [], errors: [], rejected: 0, rejectedReasons: [], ignored: 0 };
  const reject = (reason: string) => {
    out.rejected += 1;
    if (out.rejectedReasons.length < MAX_REASONS && !out.rejectedReasons.includes(reason)) out.rejectedReasons.push(reason);
  };
  for (const resource of logs.resources) {
    for (const scope of resource.scopes) {
      for (const record of scope.records) {
        const name = eventName(record);
        if (name === null) {
          reject('a log record has no event name');
          continue;
        }
        const mapper = Object.hasOwn(MAPPERS, name) ? MAPPERS[name] : undefined;
        if (mapper === undefined) {
          out.ignored += 1;
          continue;
        }
        const rawSession = attrText(record.attributes, 'session.id') ?? attrText(resource.attributes, 'session.id');
        const sessionId = normalizeSessionId(rawSession);
        if (sessionId === null) {
          reject(rawSession === null ? `${name}: session.id is missing` : `${name}: session.id is not a UUID`);
          continue;
        }
        const ms = instantOf(record);
        if (ms === null) {
          reject(`${name}: no usable event.timestamp or time`);
          continue;
        }
        const mapped = mapper({ name, sessionId, ms, attributes: record.attributes, previewChars: options.previewChars });
        if ('reason' in mapped) reject(`${name}: ${mapped.reason}`);
        else if ('events' in mapped) out.events.push(...mapped.events);
        else if ('request' in mapped) out.modelRequests.push(mapped.request);
        else out.errors.push(mapped.error);
      }
    }
  }
  return out;
}
