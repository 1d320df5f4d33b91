export const EVENT_TYPES = [
  'session_start',
  'session_end',
  'tool_use',
  'tool_result',
  'subagent_stop',
  'assistant_stop',
  'prompt_submit',
  'subagent_start',
  'pre_compact',
  'notification',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

export function isEventType(value: unknown): value is EventType {
  return typeof value === 'string' && (EVENT_TYPES as readonly string[]).includes(value);
}
