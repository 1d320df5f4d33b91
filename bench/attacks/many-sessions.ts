// 50,000 short sessions for the analytics attack: each a session_start, a tool_use and its
// tool_result within the last 29 days (the analytics' default range), stored in 1,000-event batches.
import { postBatches, type RawEvent } from './post-events.js';
import { sessionUuid } from './session-uuid.js';

const TOOLS = ['Bash', 'Read', 'Edit', 'Write', 'Grep', 'Glob', 'Task', 'WebFetch', 'WebSearch', 'TodoWrite', 'NotebookEdit', 'MultiEdit'];
const SPAN_MS = 29 * 86_400_000;
const BATCH = 1000;

function* batches(sessions: number): Generator<RawEvent[]> {
  const now = Date.now();
  let batch: RawEvent[] = [];
  for (let i = 0; i < sessions; i++) {
    const session_id = sessionUuid(i, 'many');
    const start = now - 60_000 - Math.floor((i / sessions) * SPAN_MS);
    const tool_name = TOOLS[i % TOOLS.length]!;
    batch.push(
      { event_type: 'session_start', session_id, timestamp: new Date(start).toISOString() },
      { event_type: 'tool_use', session_id, timestamp: new Date(start + 1000).toISOString(), data: { tool_name, tool_use_id: `t${i}` } },
      { event_type: 'tool_result', session_id, timestamp: new Date(start + 2000).toISOString(), data: { tool_name, tool_use_id: `t${i}`, duration_ms: i % 997, is_error: i % 13 === 0 } },
    );
    if (batch.length >= BATCH - 2) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

export function seedManySessions(url: string, writeKey: string, sessions: number): Promise<void> {
  return postBatches(url, writeKey, batches(sessions), 4);
}
