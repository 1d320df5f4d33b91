import { createHash } from 'node:crypto';
import type { UsageBatch } from '../usage/store-usage.js';
import { demoConversation } from './demo-conversation.js';
import { demoCounters } from './demo-counters.js';
import type { DemoEvent, TimedDemoEvent } from './demo-event.js';
import { mulberry32, seedOf } from './demo-random.js';
import { telemetrySourceOf, type TelemetrySource } from './demo-telemetry-source.js';
import { demoUsage } from './demo-usage.js';

export type { DemoEvent } from './demo-event.js';

/** One generated session: its hook-style events, oldest first, and what the gateway learns of its model usage. */
export interface DemoSession {
  sessionId: string;
  events: DemoEvent[];
  usage: UsageBatch;
  source: TelemetrySource;
}

const TOOLS = ['Read', 'Edit', 'Bash', 'Grep', 'Glob', 'Write', 'Task'] as const;
const PROMPTS = ['fix the failing test', 'add pagination to the list', 'explain this stack trace', 'refactor the parser', 'write a README section'];

function demoUuid(name: string): string {
  const h = createHash('sha256').update(name).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * Demo sessions, one at a time (so millions of sessions never sit in memory), spread over `spanDays` (default 14)
 * before `now`, none with an event after it: most ended, the latest two still open. `tag` names the set: ids derive
 * from it, so the same tag and count twice store nothing new.
 *
 * Each session is a timeline of prompts, tool calls and results (about 8% failed); around it, from a stream of its
 * own, the model requests behind it, a few failed requests, Claude Code's counters, subagents inside `Task` calls
 * and, in some sessions, a compaction. The timeline is drawn first, from the set's stream, exactly as before those
 * were added: a database seeded by an earlier version gains them and nothing else.
 */
export function* demoSessions(now: number, sessions: number, options: { tag?: string; spanDays?: number } = {}): Generator<DemoSession> {
  const tag = options.tag ?? 'demo';
  const random = mulberry32(42);
  const tagSeed = seedOf(tag);
  const span = (options.spanDays ?? 14) * 24 * 3600_000;
  for (let s = 0; s < sessions; s++) {
    const events: TimedDemoEvent[] = [];
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
    const own = mulberry32((tagSeed ^ Math.imul(s + 1, 0x9e3779b1)) >>> 0);
    const conversation = demoConversation(events, own, (name) => `${tag}-${s}-${name}`);
    const counters = demoCounters(events, own);
    const source = telemetrySourceOf(s, sessions, open);
    // A session drawn late in the span (or one of the open ones, minutes before now) may run past now: it is moved
    // back whole, so that it ends at now at the latest, with the same gaps between its events. Whatever was added
    // lies between its events, so `t` is still its last instant.
    const shift = Math.max(0, t - now);
    const timeline = [...events, ...conversation.events].sort((a, b) => a.at - b.at);
    yield {
      sessionId,
      events: timeline.map(({ at, ...rest }) => ({ ...rest, timestamp: new Date(at - shift).toISOString() })),
      usage: demoUsage(sessionId, conversation, counters, source, shift),
      source,
    };
  }
}
