import type { Kysely } from 'kysely';
import type { Tables } from '../db/tables.js';

/** One stored event as the timeline shows it. */
export interface TimelineEvent {
  type: string;
  /** Epoch milliseconds. */
  timestamp: number;
  data: Record<string, unknown>;
}

/** A tool a session used, with its `tool_use` count. */
export interface SessionToolCount {
  name: string;
  count: number;
}

/**
 * The timeline pages of many sessions in one statement: each session's events oldest first,
 * ties in storage order, rows offset+1 … offset+limit. Served by the events_timeline index.
 */
export async function selectTimelines(
  db: Kysely<Tables>,
  accountId: number,
  sessionIds: readonly string[],
  limit: number,
  offset: number,
): Promise<Map<string, TimelineEvent[]>> {
  const timelines = new Map<string, TimelineEvent[]>(sessionIds.map((id) => [id, []]));
  if (sessionIds.length === 0) return timelines;
  const numbered = db
    .selectFrom('events')
    .where('account_id', '=', accountId)
    .where('session_id', 'in', sessionIds)
    .select((eb) => [
      'session_id',
      'event_type',
      'ts',
      'data',
      eb.fn.agg<number>('row_number', []).over((o) => o.partitionBy('session_id').orderBy('ts').orderBy('id')).as('position'),
    ]);
  const rows = await db
    .selectFrom(numbered.as('numbered'))
    .select(['session_id', 'event_type', 'ts', 'data'])
    .where('position', '>', offset)
    .where('position', '<=', offset + limit)
    .orderBy('session_id')
    .orderBy('position')
    .execute();
  for (const r of rows) {
    timelines.get(r.session_id)?.push({
      type: r.event_type,
      timestamp: Number(r.ts),
      data: JSON.parse(r.data) as Record<string, unknown>,
    });
  }
  return timelines;
}

/** The tools of many sessions in one statement: by count descending, then name. */
export async function selectSessionTools(
  db: Kysely<Tables>,
  accountId: number,
  sessionIds: readonly string[],
): Promise<Map<string, SessionToolCount[]>> {
  const tools = new Map<string, SessionToolCount[]>(sessionIds.map((id) => [id, []]));
  if (sessionIds.length === 0) return tools;
  const rows = await db
    .selectFrom('session_tools')
    .select(['session_id', 'tool_name', 'invocations'])
    .where('account_id', '=', accountId)
    .where('session_id', 'in', sessionIds)
    .where('invocations', '>', 0)
    .orderBy('session_id')
    .orderBy('invocations', 'desc')
    .orderBy('tool_name')
    .execute();
  for (const r of rows) tools.get(r.session_id)?.push({ name: r.tool_name, count: Number(r.invocations) });
  return tools;
}
