import { sql, type Kysely } from 'kysely';
import type { Tables } from '../db/tables.js';

/** One stored event as the timeline shows it. */
export interface TimelineEvent {
  type: string;
  /** Epoch milliseconds. */
  timestamp: number;
  data: Record<string, unknown>;
}

/** One event of a timeline page as read, its `data` still JSON text. */
export interface TimelineRow {
  type: string;
  /** Epoch milliseconds. */
  timestamp: number;
  /** Bytes of its `data` as stored JSON (0 when `data` was not asked for). */
  dataBytes: number;
  /** The stored JSON; null when `data` was not asked for. */
  data: string | null;
}

/** A tool a session used, with its `tool_use` count. */
export interface SessionToolCount {
  name: string;
  count: number;
}

/** A tool row as read: its name's bytes, and the name itself unless it was not read (see `selectSessionTools`). */
export interface SessionToolRow {
  name: string | null;
  nameBytes: number;
  count: number;
}

/** The size of a timeline page, known before its text is read. */
export interface TimelinePageSize {
  rows: number;
  /** Bytes of the rows' `data` as stored JSON. */
  dataBytes: number;
}

/**
 * The events of many sessions, numbered per session oldest first, ties in storage order, without their `data`.
 * A session with direct events shows only those; its events reported by OTLP only while it has none (store-events.ts).
 */
function numberedEvents(db: Kysely<Tables>, accountId: number, sessionIds: readonly string[]) {
  return db
    .selectFrom('events')
    .where('account_id', '=', accountId)
    .where('session_id', 'in', sessionIds)
    .where((eb) =>
      eb.or([
        eb('reported', '=', 0),
        eb.not(eb.exists(
          eb.selectFrom('sessions as shown')
            .select(sql.lit(1).as('one'))
            .whereRef('shown.account_id', '=', 'events.account_id')
            .whereRef('shown.id', '=', 'events.session_id')
            .where('shown.direct_events', '>', 0),
        )),
      ]),
    )
    .select((eb) => [
      'id',
      'session_id',
      'event_type',
      'ts',
      eb.fn.agg<number>('row_number', []).over((o) => o.partitionBy('session_id').orderBy('ts').orderBy('id')).as('position'),
    ]);
}

/**
 * The sizes of many sessions' timeline pages (rows offset+1 … offset+limit) in one statement, without
 * reading any text: octet_length reads the stored length of `data`, not the text (SQLite and PostgreSQL).
 */
export async function selectTimelineSizes(
  db: Kysely<Tables>,
  accountId: number,
  sessionIds: readonly string[],
  limit: number,
  offset: number,
): Promise<Map<string, TimelinePageSize>> {
  const sizes = new Map<string, TimelinePageSize>(sessionIds.map((id) => [id, { rows: 0, dataBytes: 0 }]));
  if (sessionIds.length === 0) return sizes;
  // A length per row, summed here: grouped in SQL, SQLite would carry the text itself into its sorter.
  const rows = await db
    .selectFrom(numberedEvents(db, accountId, sessionIds).as('n'))
    .innerJoin('events as d', 'd.id', 'n.id')
    .where('n.position', '>', offset)
    .where('n.position', '<=', offset + limit)
    .select(['n.session_id', sql<number>`octet_length(${sql.ref('d.data')})`.as('data_bytes')])
    .execute();
  for (const r of rows) {
    const size = sizes.get(r.session_id);
    if (!size) continue;
    size.rows += 1;
    size.dataBytes += Number(r.data_bytes);
  }
  return sizes;
}

/**
 * The timeline pages of many sessions in one statement: each session's events oldest first, ties in
 * storage order, rows offset+1 … offset+limit. Served by the events_timeline index; the rows are
 * numbered without their `data`, whose text is read (when `withData`) for the rows of the pages only.
 */
export async function selectTimelines(
  db: Kysely<Tables>,
  accountId: number,
  sessionIds: readonly string[],
  limit: number,
  offset: number,
  withData: boolean,
): Promise<Map<string, TimelineRow[]>> {
  const timelines = new Map<string, TimelineRow[]>(sessionIds.map((id) => [id, []]));
  if (sessionIds.length === 0) return timelines;
  const page = db
    .selectFrom(numberedEvents(db, accountId, sessionIds).as('n'))
    .where('n.position', '>', offset)
    .where('n.position', '<=', offset + limit);
  const rows = withData
    ? await page
      .innerJoin('events as d', 'd.id', 'n.id')
      .select(['n.session_id', 'n.event_type', 'n.ts', 'd.data', sql<number>`octet_length(${sql.ref('d.data')})`.as('data_bytes')])
      .orderBy('n.session_id')
      .orderBy('n.position')
      .execute()
    : await page
      .select(['n.session_id', 'n.event_type', 'n.ts', sql<string | null>`null`.as('data'), sql<number>`0`.as('data_bytes')])
      .orderBy('n.session_id')
      .orderBy('n.position')
      .execute();
  for (const r of rows) {
    timelines.get(r.session_id)?.push({ type: r.event_type, timestamp: Number(r.ts), dataBytes: Number(r.data_bytes), data: r.data });
  }
  return timelines;
}

/**
 * The tools of many sessions in one statement: by count descending, then name. The names are read only
 * when their bytes add up to at most `roomBytes` (a name may be as long as an event's `data`); otherwise
 * every row comes back with `name` null.
 */
export async function selectSessionTools(
  db: Kysely<Tables>,
  accountId: number,
  sessionIds: readonly string[],
  roomBytes: number,
): Promise<Map<string, SessionToolRow[]>> {
  const tools = new Map<string, SessionToolRow[]>(sessionIds.map((id) => [id, []]));
  if (sessionIds.length === 0) return tools;
  const nameBytes = sql<number>`octet_length(${sql.ref('tool_name')})`;
  const rows = await db
    .selectFrom('session_tools')
    .select([
      'session_id',
      'invocations',
      nameBytes.as('name_bytes'),
      sql<string | null>`case when sum(${nameBytes}) over () <= ${roomBytes} then ${sql.ref('tool_name')} end`.as('name'),
    ])
    .where('account_id', '=', accountId)
    .where('session_id', 'in', sessionIds)
    .where('invocations', '>', 0)
    .orderBy('session_id')
    .orderBy('invocations', 'desc')
    .orderBy('tool_name')
    .execute();
  for (const r of rows) tools.get(r.session_id)?.push({ name: r.name, nameBytes: Number(r.name_bytes), count: Number(r.invocations) });
  return tools;
}
