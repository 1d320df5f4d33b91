import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { NewEvent, SessionToolsTable, Tables } from '../db/tables.js';
import { lockAccountForWrite } from '../db/account-write-lock.js';
import { RowInsert, type PgColumnTypes } from '../db/row-insert.js';
import { upsertExtreme } from '../db/upsert-extreme.js';
import { upsertSum } from '../db/upsert-sum.js';
import { writeTransaction } from '../db/write-transaction.js';
import { countedToolName } from './counted-tool-name.js';
import { addToolHours } from './tool-hours.js';
import { dedupKey } from './dedup-key.js';
import type { ValidEvent } from './valid-event.js';
import { isEmptyUsage, writeUsage, type UsageBatch } from '../usage/store-usage.js';
import { byCodeUnit } from '../by-code-unit.js';

/**
 * Where a batch comes from. Events reported by Claude Code's OTLP export describe the same session as hooks,
 * imports and REST batches, in other words: a session shows its direct events when it has any, else its reported
 * ones, so a session sent both ways is never counted twice. Both classes are folded in columns of their own,
 * so which one shows does not depend on the order they arrived in.
 */
export interface StoreOptions {
  reported?: boolean;
  /** Model requests and counters stored in the same transaction (OTLP). */
  usage?: UsageBatch;
}

export interface StoreOutcome {
  inserted: number;
  duplicates: number;
  /** Sessions that gained at least one event. */
  touchedSessions: string[];
}

interface SessionDelta {
  account_id: number;
  id: string;
  started_at: number;
  min_start_at: number | null;
  max_start_at: number | null;
  max_end_at: number | null;
  min_event_at: number;
  max_event_at: number;
  event_count: number;
  tool_invocations: number;
}

type Extreme = 'min' | 'max';

/** An events row as a batch inserts it (the id is the table's). */
type EventRow = Omit<NewEvent, 'id'>;

const EVENT_COLUMNS: PgColumnTypes<EventRow> = {
  account_id: 'bigint', session_id: 'text', event_type: 'text', ts: 'bigint', event_id: 'text',
  dedup_key: 'text', data: 'text', tool_use_id: 'text', reported: 'integer',
};

const TOOL_COLUMNS: PgColumnTypes<SessionToolsTable> = {
  account_id: 'bigint', session_id: 'text', tool_name: 'text', invocations: 'bigint', results: 'bigint',
  errors: 'bigint', duration_sum_us: 'bigint', duration_count: 'bigint',
};

const DELTA_COLUMNS: PgColumnTypes<SessionDelta> = {
  account_id: 'bigint', id: 'text', started_at: 'bigint', min_start_at: 'bigint', max_start_at: 'bigint', max_end_at: 'bigint',
  min_event_at: 'bigint', max_event_at: 'bigint', event_count: 'bigint', tool_invocations: 'bigint',
};

/** A direct batch's sessions row. */
type DirectRow = SessionDelta & { direct_events: number };

/** A reported batch's sessions row: the deltas again in the r_* columns. */
type ReportedRow = SessionDelta & Record<ReportedColumn, number | null> & { r_event_count: number; r_tool_invocations: number };

const DIRECT_COLUMNS: PgColumnTypes<DirectRow> = { ...DELTA_COLUMNS, direct_events: 'bigint' };

const REPORTED_COLUMNS: PgColumnTypes<ReportedRow> = {
  ...DELTA_COLUMNS, r_min_start_at: 'bigint', r_max_start_at: 'bigint', r_max_end_at: 'bigint', r_min_event_at: 'bigint',
  r_max_event_at: 'bigint', r_event_count: 'bigint', r_tool_invocations: 'bigint',
};
type ReportedColumn = 'r_min_start_at' | 'r_max_start_at' | 'r_max_end_at' | 'r_min_event_at' | 'r_max_event_at';

/** A sessions column merged on upsert (upsert-extreme.ts). */
function merged(column: keyof SessionDelta | ReportedColumn, extreme: Extreme): RawBuilder<number | null> {
  return upsertExtreme<number | null>('sessions', column, extreme);
}

function foldDeltas(accountId: number, inserted: readonly ValidEvent[]): SessionDelta[] {
  const bySession = new Map<string, SessionDelta>();
  for (const e of inserted) {
    let d = bySession.get(e.sessionId);
    if (!d) {
      d = {
        account_id: accountId, id: e.sessionId, started_at: 0,
        min_start_at: null, max_start_at: null, max_end_at: null,
        min_event_at: e.ts, max_event_at: e.ts, event_count: 0, tool_invocations: 0,
      };
      bySession.set(e.sessionId, d);
    }
    d.event_count += 1;
    if (e.eventType === 'tool_use') d.tool_invocations += 1;
    if (e.ts < d.min_event_at) d.min_event_at = e.ts;
    if (e.ts > d.max_event_at) d.max_event_at = e.ts;
    if (e.eventType === 'session_start') {
      if (d.min_start_at === null || e.ts < d.min_start_at) d.min_start_at = e.ts;
      if (d.max_start_at === null || e.ts > d.max_start_at) d.max_start_at = e.ts;
    }
    if (e.eventType === 'session_end' && (d.max_end_at === null || e.ts > d.max_end_at)) d.max_end_at = e.ts;
  }
  for (const d of bySession.values()) d.started_at = d.min_start_at ?? d.min_event_at;
  // One order for every writer: concurrent batches lock session rows in the same sequence.
  return [...bySession.values()].sort((a, b) => byCodeUnit(a.id, b.id));
}

/** Per-(session, tool) sums of the inserted events: the deltas for `session_tools`. */
function foldToolDeltas(accountId: number, inserted: readonly ValidEvent[]): SessionToolsTable[] {
  const byTool = new Map<string, SessionToolsTable>();
  for (const e of inserted) {
    if (e.toolName === null || (e.eventType !== 'tool_use' && e.eventType !== 'tool_result')) continue;
    const toolName = countedToolName(e.toolName);
    const key = `${e.sessionId}\u0000${toolName}`;
    let d = byTool.get(key);
    if (!d) {
      d = {
        account_id: accountId, session_id: e.sessionId, tool_name: toolName,
        invocations: 0, results: 0, errors: 0, duration_sum_us: 0, duration_count: 0,
      };
      byTool.set(key, d);
    }
    if (e.eventType === 'tool_use') d.invocations += 1;
    else {
      d.results += 1;
      if (e.isError) d.errors += 1;
      if (e.durationUs !== null) {
        d.duration_sum_us = Math.min(Number.MAX_SAFE_INTEGER, d.duration_sum_us + e.durationUs);
        d.duration_count += 1;
      }
    }
  }
  return [...byTool.values()].sort((a, b) => byCodeUnit(a.session_id, b.session_id) || byCodeUnit(a.tool_name, b.tool_name));
}

/** `session_tools.column + excluded.column`, for the upsert. */
const summed = (column: keyof SessionToolsTable) => upsertSum('session_tools', column);

/**
 * A sum that stops at 2^53 − 1 instead of overflowing PostgreSQL's bigint (SQLite would turn it into
 * an inexact float). Only absurd durations get there (285 years of tool time); their mean is then low.
 */
function saturatingSum(column: keyof SessionToolsTable): RawBuilder<number> {
  const stored = sql.ref(`session_tools.${column}`);
  const added = sql.ref(`excluded.${column}`);
  const max = sql.lit(Number.MAX_SAFE_INTEGER);
  return sql<number>`case when ${stored} > ${max} - ${added} then ${max} else ${stored} + ${added} end`;
}

const EVENTS = new RowInsert('events', EVENT_COLUMNS, (insert) => insert
  .onConflict((oc) => oc.columns(['account_id', 'session_id', 'dedup_key']).doNothing())
  .returning(['session_id', 'dedup_key']));

const TOOLS = new RowInsert('session_tools', TOOL_COLUMNS, (insert) => insert
  .onConflict((oc) =>
    oc.columns(['account_id', 'session_id', 'tool_name']).doUpdateSet({
      invocations: summed('invocations'),
      results: summed('results'),
      errors: summed('errors'),
      duration_sum_us: saturatingSum('duration_sum_us'),
      duration_count: summed('duration_count'),
    }),
  ));

/** PostgreSQL's codes for a transaction chosen as a deadlock victim or failing serialization. */
const RETRYABLE = new Set(['40P01', '40001']);
const ATTEMPTS = 5;

/**
 * Reruns the whole transaction when the database aborted it only to break a cycle between
 * concurrent writers (possible on PostgreSQL when two gateways fold the same sessions and days).
 */
async function withRetry<T>(transaction: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await transaction();
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (attempt >= ATTEMPTS || typeof code !== 'string' || !RETRYABLE.has(code)) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));
    }
  }
}

/**
 * Stores a batch in one transaction: events whose identity is new are inserted, and each
 * touched session absorbs exactly the inserted ones, as do its per-tool counters. Every session
 * column is a min, max or count, every tool column a sum, so the result does not depend on order,
 * batching or repetition.
 */
export async function storeEvents(db: Kysely<Tables>, accountId: number, events: readonly ValidEvent[], options: StoreOptions = {}): Promise<StoreOutcome> {
  const reported = options.reported === true;
  const usage = options.usage && !isEmptyUsage(options.usage) ? options.usage : null;
  const identities = new Set<string>();
  const rows: EventRow[] = [];
  const candidates: ValidEvent[] = [];
  for (const event of events) {
    const key = dedupKey(event);
    const identity = `${event.sessionId}\u0000${key}`;
    if (identities.has(identity)) continue;
    identities.add(identity);
    candidates.push(event);
    rows.push({
      account_id: accountId,
      session_id: event.sessionId,
      event_type: event.eventType,
      ts: event.ts,
      event_id: event.eventId,
      dedup_key: key,
      data: event.dataJson,
      tool_use_id: event.toolUseId,
      reported: reported ? 1 : 0,
    });
  }
  if (rows.length === 0 && !usage) return { inserted: 0, duplicates: events.length, touchedSessions: [] };
  const keys = [...identities];

  return withRetry(() => writeTransaction(db, async (trx) => {
    // The events keep the batch's order: it is their storage order, which orders a session's events of one instant.
    await lockAccountForWrite(trx, accountId);
    const stored = await EVENTS.run(trx, rows);
    if (usage) await writeUsage(trx, accountId, usage);
    const storedIdentities = new Set(stored.map((r) => `${r.session_id}\u0000${r.dedup_key}`));
    const inserted = candidates.filter((_, i) => storedIdentities.has(keys[i]!));
    const deltas = foldDeltas(accountId, inserted);
    if (deltas.length === 0) return { inserted: 0, duplicates: events.length, touchedSessions: [] };
    const after = await (reported ? upsertReported(trx, deltas) : upsertDirect(trx, deltas));
    // A session's tools are counted from the class it shows: its first direct event replaces the reported count.
    // Read from the rows as the upsert left them: a direct batch whose events are all the session's direct ones is
    // its first; a reported batch counts tools only where no direct event shows.
    const directNow = new Map(after.map((r) => [r.id, Number(r.direct_events)]));
    const shows = (id: string) => !reported || directNow.get(id) === 0;
    const arriving = new Map(deltas.map((d) => [d.id, d.event_count]));
    const flipped = reported ? [] : after.filter((r) => Number(r.r_event_count) > 0 && Number(r.direct_events) === arriving.get(r.id)).map((r) => r.id);
    if (flipped.length > 0) {
      await trx.deleteFrom('session_tools').where('account_id', '=', accountId).where('session_id', 'in', flipped).execute();
    }
    const toolDeltas = foldToolDeltas(accountId, inserted).filter((d) => shows(d.session_id));
    if (toolDeltas.length > 0) {
      await TOOLS.run(trx, toolDeltas);
      await addToolHours(trx, accountId, toolDeltas, new Map(after.map((r) => [r.id, Number(r.started_at)])));
    }
    return {
      inserted: inserted.length,
      duplicates: events.length - inserted.length,
      touchedSessions: deltas.map((d) => d.id),
    };
  }));
}

/** What an upsert leaves of a session: its start, its direct events and its reported ones. */
interface SessionClassCounts {
  id: string;
  started_at: number;
  direct_events: number;
  r_event_count: number;
}

/** `when the session has direct events already then <merge> else <the arriving value>`. */
function directOr<T>(merge: RawBuilder<T>, column: keyof SessionDelta): RawBuilder<T> {
  return sql<T>`case when ${sql.ref('sessions.direct_events')} > 0 then ${merge} else ${sql.ref(`excluded.${column}`)} end`;
}

/**
 * Direct events: merged into the shown columns when the session has direct events already; when it had only
 * reported ones (or none), the batch's aggregates replace them.
 */
async function upsertDirect(trx: Kysely<Tables>, deltas: readonly SessionDelta[]): Promise<SessionClassCounts[]> {
  return DIRECT.run(trx, deltas.map((d) => ({ ...d, direct_events: d.event_count })));
}

const DIRECT = new RowInsert('sessions', DIRECT_COLUMNS, (insert) => insert
  .onConflict((oc) =>
    oc.columns(['account_id', 'id']).doUpdateSet({
      min_start_at: directOr(merged('min_start_at', 'min'), 'min_start_at'),
      max_start_at: directOr(merged('max_start_at', 'max'), 'max_start_at'),
      max_end_at: directOr(merged('max_end_at', 'max'), 'max_end_at'),
      min_event_at: directOr(merged('min_event_at', 'min') as RawBuilder<number>, 'min_event_at'),
      max_event_at: directOr(merged('max_event_at', 'max') as RawBuilder<number>, 'max_event_at'),
      started_at: directOr(sql<number>`coalesce(${merged('min_start_at', 'min')}, ${merged('min_event_at', 'min')})`, 'started_at'),
      event_count: directOr(upsertSum('sessions', 'event_count'), 'event_count'),
      tool_invocations: directOr(upsertSum('sessions', 'tool_invocations'), 'tool_invocations'),
      direct_events: upsertSum('sessions', 'direct_events'),
    }),
  )
  .returning(['id', 'started_at', 'direct_events', 'r_event_count']));

/** `when the session has direct events then <unchanged> else <the merged reported value>`. */
function reportedOr<T>(column: keyof SessionDelta, merge: RawBuilder<T>): RawBuilder<T> {
  return sql<T>`case when ${sql.ref('sessions.direct_events')} > 0 then ${sql.ref(`sessions.${column}`)} else ${merge} end`;
}

/**
 * Reported events: always folded into the `r_*` columns; shown only while the session has no direct events.
 * The shown columns then equal the `r_*` ones.
 */
async function upsertReported(trx: Kysely<Tables>, deltas: readonly SessionDelta[]): Promise<SessionClassCounts[]> {
  return REPORTED.run(trx, deltas.map((d) => ({
    ...d,
    r_min_start_at: d.min_start_at, r_max_start_at: d.max_start_at, r_max_end_at: d.max_end_at,
    r_min_event_at: d.min_event_at, r_max_event_at: d.max_event_at,
    r_event_count: d.event_count, r_tool_invocations: d.tool_invocations,
  })));
}

const REPORTED = new RowInsert('sessions', REPORTED_COLUMNS, (insert) => {
  const rMinStart = merged('r_min_start_at', 'min');
  const rMinEvent = merged('r_min_event_at', 'min') as RawBuilder<number>;
  const rMaxEvent = merged('r_max_event_at', 'max') as RawBuilder<number>;
  const rEvents = upsertSum('sessions', 'r_event_count');
  const rTools = upsertSum('sessions', 'r_tool_invocations');
  return insert
    .onConflict((oc) =>
      oc.columns(['account_id', 'id']).doUpdateSet({
        r_min_start_at: rMinStart,
        r_max_start_at: merged('r_max_start_at', 'max'),
        r_max_end_at: merged('r_max_end_at', 'max'),
        r_min_event_at: rMinEvent,
        r_max_event_at: rMaxEvent,
        r_event_count: rEvents,
        r_tool_invocations: rTools,
        min_start_at: reportedOr('min_start_at', rMinStart),
        max_start_at: reportedOr('max_start_at', merged('r_max_start_at', 'max')),
        max_end_at: reportedOr('max_end_at', merged('r_max_end_at', 'max')),
        min_event_at: reportedOr('min_event_at', rMinEvent),
        max_event_at: reportedOr('max_event_at', rMaxEvent),
        started_at: reportedOr('started_at', sql<number>`coalesce(${rMinStart}, ${rMinEvent})`),
        event_count: reportedOr('event_count', rEvents),
        tool_invocations: reportedOr('tool_invocations', rTools),
      }),
    )
    .returning(['id', 'started_at', 'direct_events', 'r_event_count']);
});
