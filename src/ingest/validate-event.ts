import { isWritableInstant, parseDateTime } from '../time/iso-time.js';
import type { FieldProblem } from '../errors/api-error.js';
import { canonicalJsonWithin } from './canonical-json.js';
import { EVENT_TYPES, isEventType } from './event-types.js';
import { normalizeSessionId } from './session-id.js';
import { isStorableText } from './storable-text.js';
import type { ValidEvent } from './valid-event.js';

export const MAX_DATA_BYTES = 64 * 1024;
export const MAX_EVENT_ID_LENGTH = 128;
/** Levels of objects and arrays `data` may nest (data itself is level 1): serializing and reading it back recurse. */
export const MAX_DATA_DEPTH = 100;

export type EventCheck = { ok: true; event: ValidEvent } | { ok: false; problems: FieldProblem[] };

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Whether `text` has more than `max` code points; a string no longer than `max` UTF-16 units cannot. */
function codePointsOver(text: string, max: number): boolean {
  if (text.length <= max) return false;
  let count = 0;
  for (const _ of text) if (++count > max) return true;
  return false;
}

/** A string that may become an indexed column (`tool_use_id`, `tool_name`); null otherwise. */
function columnText(value: unknown): string | null {
  return typeof value === 'string' && isStorableText(value) ? value : null;
}

/** A duration in ms as whole µs; null unless a finite number ≥ 0 whose µs are a safe integer. */
function toMicroseconds(ms: unknown): number | null {
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) return null;
  const us = Math.round(ms * 1000);
  return Number.isSafeInteger(us) ? us : null;
}

/** The per-event rules of POST /api/v1/events (docs/api.md#ingestion). Problems name fields relative to the event (`session_id`). */
export function validateEvent(raw: unknown): EventCheck {
  if (!isPlainObject(raw)) return { ok: false, problems: [{ field: '', message: 'must be an object' }] };
  const problems: FieldProblem[] = [];

  const eventType = raw['event_type'];
  if (eventType === undefined) problems.push({ field: 'event_type', message: 'is required' });
  else if (!isEventType(eventType)) {
    problems.push({ field: 'event_type', message: `must be one of ${EVENT_TYPES.join(', ')}` });
  }

  const rawSessionId = raw['session_id'];
  const sessionId = normalizeSessionId(rawSessionId);
  if (rawSessionId === undefined) problems.push({ field: 'session_id', message: 'is required' });
  else if (sessionId === null) problems.push({ field: 'session_id', message: 'must be a UUID' });

  const rawTimestamp = raw['timestamp'];
  let ts: number | null = null;
  if (rawTimestamp === undefined) problems.push({ field: 'timestamp', message: 'is required' });
  else if (typeof rawTimestamp !== 'string') {
    problems.push({ field: 'timestamp', message: 'must be an ISO 8601 date-time string' });
  } else {
    const parsed = parseDateTime(rawTimestamp);
    if (!parsed.ok) problems.push({ field: 'timestamp', message: parsed.message });
    // The instant must be writable in the output format (UTC, years 0000–9999).
    else if (!isWritableInstant(parsed.ms)) {
      problems.push({ field: 'timestamp', message: 'must fall within the years 0000 to 9999 in UTC' });
    } else ts = parsed.ms;
  }

  const data = raw['data'];
  let dataJson = '{}';
  let toolUseId: string | null = null;
  let toolName: string | null = null;
  let isError = false;
  let durationUs: number | null = null;
  if (data !== undefined && data !== null) {
    if (!isPlainObject(data)) problems.push({ field: 'data', message: 'must be an object' });
    else {
      const canonical = canonicalJsonWithin(data, MAX_DATA_DEPTH);
      if (canonical === null) {
        problems.push({ field: 'data', message: `must nest objects and arrays at most ${MAX_DATA_DEPTH} levels deep` });
      } else {
        dataJson = canonical;
        // Kept in data either way; only text both engines store faithfully is indexed.
        toolUseId = columnText(data['tool_use_id']);
        toolName = columnText(data['tool_name']);
        isError = data['is_error'] === true;
        durationUs = toMicroseconds(data['duration_ms']);
        if (Buffer.byteLength(dataJson) > MAX_DATA_BYTES) {
          problems.push({ field: 'data', message: `must be at most ${MAX_DATA_BYTES} bytes as JSON` });
        }
      }
    }
  }

  const eventId = raw['event_id'];
  if (eventId !== undefined && eventId !== null) {
    if (typeof eventId !== 'string' || eventId.length === 0 || codePointsOver(eventId, MAX_EVENT_ID_LENGTH)) {
      problems.push({ field: 'event_id', message: `must be a string of 1 to ${MAX_EVENT_ID_LENGTH} characters` });
    } else if (!isStorableText(eventId)) {
      problems.push({ field: 'event_id', message: 'must not contain U+0000 or unpaired surrogates' });
    }
  }

  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    event: {
      sessionId: sessionId as string,
      eventType: eventType as ValidEvent['eventType'],
      ts: ts as number,
      eventId: typeof eventId === 'string' ? eventId : null,
      dataJson,
      toolUseId,
      toolName,
      isError,
      durationUs,
    },
  };
}
