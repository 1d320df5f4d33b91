import type { EventType } from '../ingest/event-types.js';
import { isStorableText } from '../ingest/storable-text.js';
import { eventTypeForHook } from './hook-event-map.js';
import { firstCodePoints, preview } from './preview.js';

/** Small descriptive strings (tool names, ids, modes) are kept whole up to this many characters. */
export const MAX_LABEL_CHARS = 200;

/**
 * Fields copied as they are when they are short strings: none holds user content.
 * (Paths — `cwd`, `transcript_path` — are not kept: they name users and projects.)
 */
const LABELS = [
  'tool_name',
  'tool_use_id',
  'agent_id',
  'agent_type',
  'permission_mode',
  'source',
  'reason',
  'model',
  'trigger',
  'notification_type',
] as const;

/** Booleans copied as they are. */
const FLAGS = ['stop_hook_active', 'is_interrupt'] as const;

/** Sensitive values kept only as previews: payload field → data field. */
const PREVIEWS: Readonly<Record<string, string>> = {
  prompt: 'prompt_preview',
  tool_input: 'tool_input_preview',
  tool_response: 'tool_output_preview',
  // PostToolUseFailure's error text is the tool's output.
  error: 'tool_output_preview',
  message: 'message_preview',
  last_assistant_message: 'last_assistant_message_preview',
  custom_instructions: 'custom_instructions_preview',
};

export interface MappedHook {
  eventType: EventType;
  data: Record<string, unknown>;
  /** For tool results: the call's id, to time it against its `tool_use`. */
  toolUseId: string | null;
  /** For tool results: Claude Code's own duration, when it sent one. */
  ownDurationMs: number | null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** True only when the tool's response says it failed (`is_error`, or MCP's `isError`). */
function responseIsError(response: unknown): boolean {
  return isRecord(response) && (response['is_error'] === true || response['isError'] === true);
}

/**
 * A hook payload (already checked for `session_id` and `hook_event_name`) as an event type and
 * its `data`; null for hook events the gateway does not store. Unknown fields are ignored.
 * Prompt text, tool input and output and messages survive only as `previewChars`-long previews.
 */
export function hookToEvent(payload: Record<string, unknown>, hookEventName: string, previewChars: number): MappedHook | null {
  const eventType = eventTypeForHook(hookEventName);
  if (eventType === null) return null;
  const data: Record<string, unknown> = {};
  for (const field of LABELS) {
    const value = payload[field];
    if (typeof value === 'string') data[field] = firstCodePoints(value, MAX_LABEL_CHARS);
  }
  for (const field of FLAGS) {
    if (typeof payload[field] === 'boolean') data[field] = payload[field];
  }
  for (const [field, target] of Object.entries(PREVIEWS)) {
    if (target in data) continue;
    const kept = preview(payload[field], previewChars);
    if (kept !== undefined) data[target] = kept;
  }

  let ownDurationMs: number | null = null;
  if (eventType === 'tool_result') {
    data['is_error'] = hookEventName === 'PostToolUseFailure' || responseIsError(payload['tool_response']);
    const duration = payload['duration_ms'];
    if (typeof duration === 'number' && Number.isFinite(duration) && duration >= 0) {
      ownDurationMs = Math.round(duration);
      data['duration_ms'] = ownDurationMs;
    }
  }
  // Looked up in an indexed column: only text both engines store faithfully (as validate-event indexes it).
  const label = data['tool_use_id'];
  const toolUseId = typeof label === 'string' && isStorableText(label) ? label : null;
  return { eventType, data, toolUseId, ownDurationMs };
}
