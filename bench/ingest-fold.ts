// What both ingestion baselines (SQLite and PostgreSQL) store besides the events: the per-session
// and per-tool rows folded from a batch's newly inserted events, by the gateway's rules.
import type { RawEvent } from './sessions-gen.js';

export interface SessionFold {
  id: string;
  minStart: number | null;
  maxStart: number | null;
  maxEnd: number | null;
  minEvent: number;
  maxEvent: number;
  events: number;
  tools: number;
}

export interface ToolFold {
  session: string;
  tool: string;
  invocations: number;
  results: number;
  errors: number;
  durationUs: number;
  durations: number;
}

export interface EventRow {
  ts: number;
  data: Record<string, unknown>;
  toolUseId: string | null;
}

/** The columns an event row takes besides its identity. */
export function eventRow(e: RawEvent): EventRow {
  const data = e.data ?? {};
  return { ts: Date.parse(e.timestamp), data, toolUseId: typeof data['tool_use_id'] === 'string' ? data['tool_use_id'] : null };
}

/**
 * Folds the events for which `insert` returns true (it stores the event: false for a duplicate),
 * in batch order, into session and tool deltas. `rows`: the events' rows, if already made.
 */
export function foldBatch(events: RawEvent[], insert: (e: RawEvent, row: EventRow) => boolean, rows?: EventRow[]) {
  const sessions = new Map<string, SessionFold>();
  const tools = new Map<string, ToolFold>();
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    const row = rows?.[i] ?? eventRow(e);
    if (!insert(e, row)) continue;
    const { ts, data } = row;
    let s = sessions.get(e.session_id);
    if (!s) {
      s = { id: e.session_id, minStart: null, maxStart: null, maxEnd: null, minEvent: ts, maxEvent: ts, events: 0, tools: 0 };
      sessions.set(e.session_id, s);
    }
    s.events++;
    if (ts < s.minEvent) s.minEvent = ts;
    if (ts > s.maxEvent) s.maxEvent = ts;
    if (e.event_type === 'session_start') {
      if (s.minStart === null || ts < s.minStart) s.minStart = ts;
      if (s.maxStart === null || ts > s.maxStart) s.maxStart = ts;
    } else if (e.event_type === 'session_end') {
      if (s.maxEnd === null || ts > s.maxEnd) s.maxEnd = ts;
    }
    const tool = data['tool_name'];
    if ((e.event_type === 'tool_use' || e.event_type === 'tool_result') && typeof tool === 'string') {
      if (e.event_type === 'tool_use') s.tools++;
      const key = `${e.session_id}\u0000${tool}`;
      let t = tools.get(key);
      if (!t) {
        t = { session: e.session_id, tool, invocations: 0, results: 0, errors: 0, durationUs: 0, durations: 0 };
        tools.set(key, t);
      }
      if (e.event_type === 'tool_use') t.invocations++;
      else {
        t.results++;
        if (data['is_error'] === true) t.errors++;
        const d = data['duration_ms'];
        if (typeof d === 'number' && d >= 0) {
          t.durationUs += Math.round(d * 1000);
          t.durations++;
        }
      }
    } else if (e.event_type === 'tool_use') s.tools++;
  }
  return { sessions: [...sessions.values()], tools: [...tools.values()] };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;
}

/** The loop's one-line JSON result, from each batch's latency (ms). */
export function loopResult(latencies: number[], events: number, seconds: number): string {
  latencies.sort((a, b) => a - b);
  return JSON.stringify({
    batches: latencies.length,
    events,
    seconds,
    batchesPerSecond: latencies.length / seconds,
    eventsPerSecond: events / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  });
}

export function loopFlag(name: string): string {
  const i = process.argv.indexOf(name);
  const value = i >= 0 ? process.argv[i + 1] : undefined;
  if (!value) throw new Error(`baseline-insert: ${name} is required`);
  return value;
}
