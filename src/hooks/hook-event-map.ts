import type { EventType } from '../ingest/event-types.js';

/** The Claude Code hook events the gateway stores, and the event type each becomes (docs/api.md#claude-code-hooks). */
export const HOOK_EVENT_TYPES: Readonly<Record<string, EventType>> = Object.freeze({
  SessionStart: 'session_start',
  SessionEnd: 'session_end',
  PreToolUse: 'tool_use',
  PostToolUse: 'tool_result',
  PostToolUseFailure: 'tool_result',
  Stop: 'assistant_stop',
  SubagentStart: 'subagent_start',
  SubagentStop: 'subagent_stop',
  UserPromptSubmit: 'prompt_submit',
  PreCompact: 'pre_compact',
  Notification: 'notification',
});

/** The hook events a settings.json should send (all mapped ones). */
export const MAPPED_HOOK_EVENTS: readonly string[] = Object.freeze(Object.keys(HOOK_EVENT_TYPES));

export function eventTypeForHook(hookEventName: string): EventType | null {
  return Object.hasOwn(HOOK_EVENT_TYPES, hookEventName) ? HOOK_EVENT_TYPES[hookEventName]! : null;
}
