import { createHash } from 'node:crypto';

export interface DemoEvent {
  event_type: string;
  session_id: string;
  timestamp: string;
  event_id: string;
  data?: Record<string, unknown>;
}

const TOOLS = ['Read', 'Edit', 'Bash', 'Grep', 'Glob', 'Write', 'Task'] as const;
const PROMPTS = ['fix the failing test', 'add pagination to the list', 'explain this stack trace', 'refactor the parser', 'write a README section'];

/** A small deterministic PRNG, so the demo data is the same on every run. */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function demoUuid(name: string): string {
  const h = createHash('sha256').update(name).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * Demo sessions over the days before `now`, none with an event after it: most ended, the latest two still open.
 * Event ids are stable, so running the demo again adds nothing.
 */
export function demoEvents(now: number, sessions = 36): DemoEvent[] {
  return [...demoSessions(now, sessions)].flat();
}

/**
 * The same, one session's events at a time (so millions of sessions never sit in memory), spread over
 * `spanDays` before `now`. `tag` names the set: ids derive from it, so the same tag and count twice store
 * nothing new.
 */
export function* demoSessions(now: number, sessions: number, options: { tag?: string; spanDays?: number } = {}): Generator<DemoEvent[]> {
  const tag = options.tag ?? 'demo';
  const random = mulberry32(42);
  const span = (options.spanDays ?? 14) * 24 * 3600_000;
  for (let s = 0; s < sessions; s++) {
    const events: (Omit<DemoEvent, 'timestamp'> & { at: number })[] = [];
    const sessionId = demoUuid(tag === 'demo' ? `trenchcoat-demo-session-${s}` : `trenchcoat-${tag}-session-${s}`);
    const open = s >= sessions - 2;
    let t = open ? now - (sessions - s) * 7 * 60_000 : now - span + Math.floor((s / sessions) * span) + Math.floor(random() * 3600_000);
    let n = 0;
    const push = (event_type: string, data?: Record<string, unknown>) => {
      events.push({ event_type, session_id: sessionId, at: t, event_id: `${tag}-${s}-${n++}`, ...(data ? { data } : {}) });
    };
    push('session_start', { source: 'startup' });
    const prompts = 1 + Math.floor(random() * 3);
    for (let p = 0; p < prompts; p++) {
      t += 5_000 + Math.floor(random() * 60_000);
      push('prompt_submit', { prompt_preview: PROMPTS[Math.floor(random() * PROMPTS.length)] });
      const calls = 1 + Math.floor(random() * 8);
      for (let c = 0; c < calls; c++) {
        const tool = TOOLS[Math.floor(random() * TOOLS.length)]!;
        const toolUseId = `toolu_demo_${s}_${p}_${c}`;
        t += 1_000 + Math.floor(random() * 20_000);
        push('tool_use', { tool_name: tool, tool_use_id: toolUseId });
        const duration = 50 + Math.floor(random() * 4_000);
        t += duration;
        push('tool_result', { tool_name: tool, tool_use_id: toolUseId, duration_ms: duration, is_error: random() < 0.08 });
      }
      t += 2_000 + Math.floor(random() * 30_000);
      push('assistant_stop');
    }
    if (!open) {
      t += 10_000 + Math.floor(random() * 600_000);
      push('session_end', { reason: 'exit' });
    }
    // A session drawn late in the span (or one of the open ones, minutes before now) may run past now: it is moved
    // back whole, so that it ends at now at the latest, with the same gaps between its events.
    const shift = Math.max(0, t - now);
    yield events.map(({ at, ...rest }) => ({ ...rest, timestamp: new Date(at - shift).toISOString() }));
  }
}
