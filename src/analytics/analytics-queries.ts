import { sql, type Kysely } from 'kysely';
import type { Tables } from '../db/tables.js';
import { dayOf } from '../time/utc-days.js';
import type { AnalyticsRange } from './analytics-range.js';
import { utcDayOf } from './utc-day.js';
import { takeTurn } from '../limits/take-turn.js';


const utcStartDay = utcDayOf('started_at');

export interface RangeTotals {
  sessions: number;
  events: number;
  toolInvocations: number;
  activeDays: number;
}

/**
 * The sessions that started on the range's UTC days, from session_days (a row per day): at least the
 * sessions the range holds, known before any of them is read.
 */
export async function estimateRangeSessions(db: Kysely<Tables>, accountId: number, range: AnalyticsRange): Promise<number> {
  const row = await db
    .selectFrom('session_days')
    .where('account_id', '=', accountId)
    .where('day', '>=', dayOf(range.startMs))
    .where('day', '<=', dayOf(range.endMs))
    .select((eb) => eb.fn.sum('sessions').as('sessions'))
    .executeTakeFirst();
  return Number(row?.sessions ?? 0);
}

/**
 * Sums over the folded session rows of the range: one indexed range scan, no events read. Like every
 * statement over a range, it waits for a turn of the event loop of its own (take-turn.ts).
 */
export async function selectRangeTotals(db: Kysely<Tables>, accountId: number, range: AnalyticsRange): Promise<RangeTotals> {
  await takeTurn();
  const row = await db
    .selectFrom('sessions')
    .where('account_id', '=', accountId)
    .where('started_at', '>=', range.startMs)
    .where('started_at', '<=', range.endMs)
    .select((eb) => [
      eb.fn.countAll().as('sessions'),
      eb.fn.sum('event_count').as('events'),
      eb.fn.sum('tool_invocations').as('tool_invocations'),
      eb.fn.count(utcStartDay).distinct().as('active_days'),
    ])
    .executeTakeFirstOrThrow();
  return {
    sessions: Number(row.sessions),
    events: Number(row.events ?? 0),
    toolInvocations: Number(row.tool_invocations ?? 0),
    activeDays: Number(row.active_days),
  };
}

/** One tool's sums over the sessions of a range. */
export interface ToolTotals {
  name: string;
  invocations: number;
  errors: number;
  /** Sum of the durations, in microseconds (a float past 2^53). */
  durationSumUs: number;
  durationCount: number;
}

/**
 * Tools invoked at least once in the range's sessions, by invocations descending, then name
 * ascending, at most `limit`. Reads the per-session tool counters, never the events.
 */
export async function selectToolTotals(
  db: Kysely<Tables>,
  accountId: number,
  range: AnalyticsRange,
  limit: number,
): Promise<ToolTotals[]> {
  await takeTurn();
  const rows = await db
    .selectFrom('sessions as s')
    .innerJoin('session_tools as t', (join) =>
      join.onRef('t.account_id', '=', 's.account_id').onRef('t.session_id', '=', 's.id'),
    )
    .where('s.account_id', '=', accountId)
    .where('t.account_id', '=', accountId)
    .where('s.started_at', '>=', range.startMs)
    .where('s.started_at', '<=', range.endMs)
    .groupBy('t.tool_name')
    .having((eb) => eb.fn.sum('t.invocations'), '>', sql.lit(0))
    .select((eb) => [
      't.tool_name as name',
      eb.fn.sum('t.invocations').as('invocation_count'),
      eb.fn.sum('t.errors').as('error_count'),
      // As a float: an integer sum past 2^63 would make SQLite's sum() fail.
      eb.fn.sum(sql`cast(${sql.ref('t.duration_sum_us')} as double precision)`).as('duration_total_us'),
      eb.fn.sum('t.duration_count').as('duration_total_count'),
    ])
    .orderBy('invocation_count', 'desc')
    .orderBy('t.tool_name', 'asc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    name: r.name,
    invocations: Number(r.invocation_count),
    errors: Number(r.error_count),
    durationSumUs: Number(r.duration_total_us),
    durationCount: Number(r.duration_total_count),
  }));
}
