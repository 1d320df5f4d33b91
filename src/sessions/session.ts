import type { SessionRow } from '../db/tables.js';

/** An open session counts as ended at its latest event after 24 h without one (docs/api.md#how-events-fold-into-sessions). */
export const INACTIVITY_CLOSURE_MS = 24 * 60 * 60 * 1000;

/** A session as both APIs present it; instants in epoch milliseconds. */
export interface Session {
  id: string;
  startedAt: number;
  endedAt: number | null;
  durationMs: number | null;
  eventCount: number;
  toolInvocations: number;
}

export function endedAt(row: Pick<SessionRow, 'max_start_at' | 'max_end_at' | 'max_event_at'>, now: number): number | null {
  const end = row.max_end_at === null ? null : Number(row.max_end_at);
  const lastStart = row.max_start_at === null ? null : Number(row.max_start_at);
  if (end !== null && (lastStart === null || lastStart <= end)) return end;
  const lastEvent = Number(row.max_event_at);
  return lastEvent < now - INACTIVITY_CLOSURE_MS ? lastEvent : null;
}

/** The columns a session view needs; queries select exactly these. */
export const SESSION_VIEW_COLUMNS = [
  'id', 'started_at', 'max_start_at', 'max_end_at', 'max_event_at', 'event_count', 'tool_invocations',
] as const;

export type SessionViewRow = Pick<SessionRow, (typeof SESSION_VIEW_COLUMNS)[number]>;

export function toSession(row: SessionViewRow, now: number): Session {
  const startedAt = Number(row.started_at);
  const ended = endedAt(row, now);
  return {
    id: row.id,
    startedAt,
    endedAt: ended,
    durationMs: ended === null ? null : ended - startedAt,
    eventCount: Number(row.event_count),
    toolInvocations: Number(row.tool_invocations),
  };
}
