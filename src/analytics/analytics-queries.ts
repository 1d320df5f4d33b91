import { sql, type Kysely, type SelectQueryBuilder } from 'kysely';
import type { Tables } from '../db/tables.js';
import { dayOf } from '../time/utc-days.js';
import type { AnalyticsRange } from './analytics-range.js';
import { utcDayOf } from './utc-day.js';
import { takeTurn } from '../limits/take-turn.js';
import { splitByUnit, type MsRange } from '../sessions/day-split.js';
import { UTC_HOUR } from '../time/utc-hours.js';


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

interface ToolCounterRow {
  name: string;
  invocations: number;
  errors: number;
  duration_sum_us: number;
  duration_count: number;
}

/** Either source of tool counters, as one type, so that they can be united. */
type ToolCounterQuery = SelectQueryBuilder<Tables, keyof Tables, ToolCounterRow>;

const durationSum = (column: string) => sql<number>`cast(${sql.ref(column)} as double precision)`;

/** Each tool's counters per whole hour in `first`…`last`, one `tool_hours` row each. */
function hourRows(db: Kysely<Tables>, accountId: number, first: number, last: number): ToolCounterQuery {
  return db
    .selectFrom('tool_hours as h')
    .where('h.account_id', '=', accountId)
    .where('h.hour', '>=', first)
    .where('h.hour', '<=', last)
    .select(['h.tool_name as name', 'h.invocations', 'h.errors', durationSum('h.duration_sum_us').as('duration_sum_us'), 'h.duration_count'])
    .$castTo<ToolCounterRow>() as unknown as ToolCounterQuery;
}

/** Each tool's counters per session that started in `range` (a partial hour), one `session_tools` row each. */
function sessionRows(db: Kysely<Tables>, accountId: number, [from, to]: MsRange): ToolCounterQuery {
  return db
    .selectFrom('sessions as s')
    .innerJoin('session_tools as t', (join) =>
      join.onRef('t.account_id', '=', 's.account_id').onRef('t.session_id', '=', 's.id'),
    )
    .where('s.account_id', '=', accountId)
    .where('t.account_id', '=', accountId)
    .where('s.started_at', '>=', from)
    .where('s.started_at', '<=', to)
    .select(['t.tool_name as name', 't.invocations', 't.errors', durationSum('t.duration_sum_us').as('duration_sum_us'), 't.duration_count'])
    .$castTo<ToolCounterRow>() as unknown as ToolCounterQuery;
}

/**
 * Tools invoked at least once in the range's sessions, by invocations descending, then name
 * ascending, at most `limit`. Whole hours are read from `tool_hours` (a row per hour and tool); only a partial
 * first and last hour read their sessions' `session_tools` rows. Never the events.
 */
export async function selectToolTotals(
  db: Kysely<Tables>,
  accountId: number,
  range: AnalyticsRange,
  limit: number,
): Promise<ToolTotals[]> {
  await takeTurn();
  const { head, whole, tail } = splitByUnit(range.startMs, range.endMs, UTC_HOUR);
  const parts: ToolCounterQuery[] = [head, tail].filter((edge) => edge !== null).map((edge) => sessionRows(db, accountId, edge));
  if (whole && whole.first !== null && whole.last !== null && whole.first <= whole.last) parts.push(hourRows(db, accountId, whole.first, whole.last));
  const [first, ...rest] = parts;
  if (!first) return [];
  const counted = rest.reduce((all, part) => all.unionAll(part), first);
  const rows = await db
    .selectFrom(counted.as('c'))
    .groupBy('c.name')
    .having((eb) => eb.fn.sum('c.invocations'), '>', sql.lit(0))
    .select((eb) => [
      'c.name',
      eb.fn.sum('c.invocations').as('invocation_count'),
      eb.fn.sum('c.errors').as('error_count'),
      eb.fn.sum('c.duration_sum_us').as('duration_total_us'),
      eb.fn.sum('c.duration_count').as('duration_total_count'),
    ])
    .orderBy('invocation_count', 'desc')
    .orderBy('c.name', 'asc')
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
