import type { Kysely } from 'kysely';
import type { Tables } from '../db/tables.js';
import { takeTurn } from '../limits/take-turn.js';
import type { AnalyticsRange } from './analytics-range.js';
import { utcDayOf } from './utc-day.js';

/** The sessions of a range that started on one UTC day, and the sums of their folded counters. */
export interface SessionsOnDay {
  /** Days since 1970-01-01 (UTC). */
  day: number;
  sessions: number;
  events: number;
  toolInvocations: number;
}

/**
 * The range's sessions grouped by the UTC day of their start, ascending, days without a session left out:
 * the rows and columns selectRangeTotals sums (analytics-queries.ts), so the days add up to the overview.
 * One indexed range scan, no events read; it waits for a turn of the event loop of its own (take-turn.ts).
 */
export async function selectSessionsByDay(db: Kysely<Tables>, accountId: number, range: AnalyticsRange): Promise<SessionsOnDay[]> {
  await takeTurn();
  const day = utcDayOf('started_at');
  const rows = await db
    .selectFrom('sessions')
    .where('account_id', '=', accountId)
    .where('started_at', '>=', range.startMs)
    .where('started_at', '<=', range.endMs)
    .groupBy(day)
    .select((eb) => [
      day.as('day'),
      eb.fn.countAll().as('sessions'),
      eb.fn.sum('event_count').as('events'),
      eb.fn.sum('tool_invocations').as('tool_invocations'),
    ])
    .orderBy(day)
    .execute();
  return rows.map((r) => ({
    day: Number(r.day),
    sessions: Number(r.sessions),
    events: Number(r.events),
    toolInvocations: Number(r.tool_invocations),
  }));
}
