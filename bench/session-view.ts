// What both baselines (SQLite and PostgreSQL) and the GraphQL peers share, independent of src/: the
// sessions row they read, the session as the APIs present it, and the instant formats.

export interface SessionRow {
  id: string;
  started_at: number;
  max_start_at: number | null;
  max_end_at: number | null;
  max_event_at: number;
  event_count: number;
  tool_invocations: number;
}

/** A session as the APIs present it (instants in epoch milliseconds). */
export interface SessionView {
  id: string;
  startedAt: number;
  endedAt: number | null;
  durationMs: number | null;
  eventCount: number;
  toolInvocations: number;
}

export interface Caller {
  accountId: number;
  scopes: string[];
}

export interface PageQuery {
  accountId: number;
  startMs: number | null;
  endMs: number | null;
  limit: number;
  offset: number;
}

const INACTIVITY_MS = 24 * 60 * 60 * 1000;

/** The latest session_end unless a later session_start reopened it; else closed after 24 h idle (docs/api.md#how-events-fold-into-sessions). */
export function toView(row: SessionRow, now: number): SessionView {
  let ended: number | null;
  if (row.max_end_at !== null && (row.max_start_at === null || row.max_start_at <= row.max_end_at)) ended = row.max_end_at;
  else ended = row.max_event_at < now - INACTIVITY_MS ? row.max_event_at : null;
  return {
    id: row.id,
    startedAt: row.started_at,
    endedAt: ended,
    durationMs: ended === null ? null : ended - row.started_at,
    eventCount: row.event_count,
    toolInvocations: row.tool_invocations,
  };
}

/** `YYYY-MM-DDTHH:MM:SSZ`, `.sss` only when the milliseconds are not zero. */
export function utc(ms: number): string {
  const s = new Date(ms).toISOString();
  return s.endsWith('.000Z') ? `${s.slice(0, 19)}Z` : s;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?Z)?$/;

/** `YYYY-MM-DD` (00:00:00Z) or `YYYY-MM-DDTHH:MM:SS[.fff]Z`; null when not one (enough for the benchmark). */
export function parseInstant(value: string): number | null {
  const m = DATE.exec(value);
  if (!m) return null;
  const ms = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0), +(m[7] ?? '0').slice(0, 3).padEnd(3, '0'));
  return Number.isNaN(ms) ? null : ms;
}
