/** One event as the API returns it. */
export interface TimelineEvent {
  readonly type: string;
  readonly timestamp: string;
  readonly data: Record<string, unknown>;
}

/** A line of the timeline: an event, or a tool call joined with its result. */
export interface TimelineEntry {
  readonly kind: 'prompt' | 'tool' | 'subagent' | 'compaction' | 'session' | 'stop' | 'notification' | 'other';
  readonly at: string;
  readonly title: string;
  readonly detail: string | null;
  readonly failed: boolean;
  readonly durationMs: number | null;
}

const text = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);
const number = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);

function toolEntry(use: TimelineEvent | null, result: TimelineEvent | null): TimelineEntry {
  const first = (use ?? result)!;
  const name = text(use?.data['tool_name']) ?? text(result?.data['tool_name']) ?? 'unknown tool';
  const failed = result?.data['is_error'] === true;
  const durationMs = number(result?.data['duration_ms']);
  const detail = text(result?.data['error']) ?? text(result?.data['error_type']) ?? text(use?.data['input_preview']) ?? null;
  return {
    kind: 'tool', at: first.timestamp, failed, durationMs, detail,
    title: result ? (failed ? `${name} failed` : name) : `${name} (no result yet)`,
  };
}

/**
 * The events of a session, oldest first, as the page shows them: each tool_use with the tool_result of the same
 * tool_use_id (a result without its call still shows), the rest one line each.
 */
export function timeline(events: readonly TimelineEvent[]): TimelineEntry[] {
  const results = new Map<string, TimelineEvent>();
  for (const e of events) {
    const id = text(e.data['tool_use_id']);
    if (e.type === 'tool_result' && id !== null && !results.has(id)) results.set(id, e);
  }
  const paired = new Set<TimelineEvent>();
  const entries: TimelineEntry[] = [];
  for (const e of events) {
    const base = { at: e.timestamp, failed: false, durationMs: null, detail: null };
    switch (e.type) {
      case 'tool_use': {
        const id = text(e.data['tool_use_id']);
        const result = id === null ? null : (results.get(id) ?? null);
        if (result) paired.add(result);
        entries.push(toolEntry(e, result));
        break;
      }
      case 'tool_result':
        if (!paired.has(e)) entries.push(toolEntry(null, e));
        break;
      case 'prompt_submit':
        entries.push({ ...base, kind: 'prompt', title: 'Prompt', detail: text(e.data['prompt_preview']) ?? text(e.data['prompt']) });
        break;
      case 'subagent_start':
        entries.push({ ...base, kind: 'subagent', title: 'Subagent started', detail: text(e.data['agent_type']) ?? text(e.data['subagent_type']) });
        break;
      case 'subagent_stop':
        entries.push({ ...base, kind: 'subagent', title: 'Subagent finished', detail: text(e.data['agent_type']) ?? text(e.data['subagent_type']) });
        break;
      case 'pre_compact':
        entries.push({ ...base, kind: 'compaction', title: 'Context compacted', detail: text(e.data['trigger']) });
        break;
      case 'session_start':
        entries.push({ ...base, kind: 'session', title: 'Session started', detail: text(e.data['source']) });
        break;
      case 'session_end':
        entries.push({ ...base, kind: 'session', title: 'Session ended', detail: text(e.data['reason']) });
        break;
      case 'assistant_stop':
        entries.push({ ...base, kind: 'stop', title: 'Claude finished its answer' });
        break;
      case 'notification':
        entries.push({ ...base, kind: 'notification', title: 'Notification', detail: text(e.data['message']) });
        break;
      default:
        entries.push({ ...base, kind: 'other', title: e.type });
    }
  }
  return entries;
}
