// Deterministic synthetic Claude Code sessions: the events a session sends, as POST /api/v1/events takes them.

export type Random = () => number;

/** mulberry32: small, fast, deterministic. */
export function mulberry32(seed: number): Random {
  let a = seed | 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HEX = '0123456789abcdef';

function hex(random: Random, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += HEX[(random() * 16) | 0];
  return s;
}

/** A random RFC 4122 version 4 UUID drawn from `random`. */
export function randomUuid(random: Random): string {
  return `${hex(random, 8)}-${hex(random, 4)}-4${hex(random, 3)}-${HEX[8 + ((random() * 4) | 0)]}${hex(random, 3)}-${hex(random, 12)}`;
}

// Skewed: the first tools are much more common, as in real sessions.
const TOOLS = ['Read', 'Edit', 'Bash', 'Grep', 'Glob', 'Write', 'Task', 'WebFetch', 'TodoWrite', 'MultiEdit', 'LS', 'NotebookEdit'];
const PROMPTS = [
  'Fix the failing test in src/sessions and explain the cause',
  'Add a --json flag to the import command',
  'Why is the analytics query slow on large accounts?',
  'Refactor the key store to use prepared statements',
  'Write a migration that adds an index on started_at',
];
const MODELS = ['claude-sonnet-4-5', 'claude-opus-4-1', 'claude-haiku-4-5'];

export interface RawEvent {
  event_type: string;
  session_id: string;
  timestamp: string;
  event_id: string;
  data?: Record<string, unknown>;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/**
 * One session's events, ~12 on average: session_start, prompt_submit, 2–6 tool_use/tool_result
 * pairs, assistant_stop, session_end. 3% never send session_end (closed by inactivity), 1% are
 * resumed after their end (open again, then closed by inactivity). A quarter use whole seconds.
 */
export function sessionEvents(random: Random, sessionId: string, startMs: number): RawEvent[] {
  const whole = random() < 0.25;
  let at = whole ? Math.floor(startMs / 1000) * 1000 : startMs;
  const step = (min: number, spread: number) => {
    const d = min + Math.floor(random() * spread);
    at += whole ? Math.ceil(d / 1000) * 1000 : d;
  };
  const events: RawEvent[] = [];
  const push = (event_type: string, data?: Record<string, unknown>) => {
    const e: RawEvent = { event_type, session_id: sessionId, timestamp: iso(at), event_id: randomUuid(random) };
    if (data) e.data = data;
    events.push(e);
  };
  push('session_start', { source: 'startup', model: MODELS[(random() * MODELS.length) | 0] });
  step(2000, 20_000);
  push('prompt_submit', { prompt_preview: PROMPTS[(random() * PROMPTS.length) | 0] });
  const pairs = 2 + ((random() * 5) | 0);
  for (let p = 0; p < pairs; p++) {
    const tool = TOOLS[Math.floor(random() * random() * TOOLS.length)]!;
    const toolUseId = `toolu_${hex(random, 20)}`;
    step(500, 15_000);
    push('tool_use', { tool_name: tool, tool_use_id: toolUseId });
    const duration = 5 + Math.floor(random() * random() * 8000);
    at += duration;
    const result: Record<string, unknown> = { tool_name: tool, tool_use_id: toolUseId, duration_ms: duration };
    if (random() < 0.05) result['is_error'] = true;
    push('tool_result', result);
  }
  step(1000, 10_000);
  push('assistant_stop');
  const fate = random();
  if (fate < 0.03) return events; // never ended: inactivity closure
  step(1000, 60_000);
  push('session_end', { reason: 'exit' });
  if (fate < 0.04) {
    // resumed after its end: open again
    step(60_000, 3_600_000);
    push('session_start', { source: 'resume', model: MODELS[0] });
  }
  return events;
}
