import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { NewEvent, SessionToolsTable, Tables } from '../db/tables.js';
import { lockAccountForWrite } from '../db/account-write-lock.js';
import { writeTransaction } from '../db/write-transaction.js';
import { countedToolName } from './counted-tool-name.js';
import { dedupKey } from './dedup-key.js';
import type { ValidEvent } from './valid-event.js';

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

/** The merge of a nullable min/max column on upsert, spelled so both SQLite and PostgreSQL agree. */
function merged(column: keyof SessionDelta, extreme: Extreme): RawBuilder<number | null> {
  const mine = sql.ref(`sessions.${column}`);
  const theirs = sql.ref(`excluded.${column}`);
  const better = extreme === 'min' ? sql`${theirs} < ${mine}` : sql`${theirs} > ${mine}`;
  return sql`case when ${theirs} is null then ${mine} when ${mine} is null or ${better} then ${theirs} else ${mine} end`;
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
  return [...bySession.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
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
  return [...byTool.values()].sort((a, b) =>
    a.session_id < b.session_id ? -1 : a.session_id > b.session_id ? 1 : a.tool_name < b.tool_name ? -1 : a.tool_name > b.tool_name ? 1 : 0,
  );
}

/** `session_tools.column + excluded.column`, for the upsert. */
function summed(column: keyof SessionToolsTable): RawBuilder<number> {
  return sql<number>`${sql.ref(`session_tools.${column}`)} + ${sql.ref(`excluded.${column}`)}`;
}

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
export async function storeEvents(db: Kysely<Tables>, accountId: number, events: readonly ValidEvent[]): Promise<StoreOutcome> {
  const seen = new Set<string>();
  const rows: NewEvent[] = [];
  const candidates: ValidEvent[] = [];
  for (const event of events) {
    const key = dedupKey(event);
    const identity = `${event.sessionId}\u0000${key}`;
    if (seen.has(identity)) continue;
    seen.add(identity);
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
    });
  }
  if (rows.length === 0) return { inserted: 0, duplicates: events.length, touchedSessions: [] };

  return withRetry(() => writeTransaction(db, async (trx) => {
    await lockAccountForWrite(trx, accountId);
    const stored = await trx
      .insertInto('events')
      .values(rows)
      .onConflict((oc) => oc.columns(['account_id', 'session_id', 'dedup_key']).doNothing())
      .returning(['session_id', 'dedup_key'])
      .execute();
    const storedIdentities = new Set(stored.map((r) => `${r.session_id}\u0000${r.dedup_key}`));
    const inserted = candidates.filter((e, i) => storedIdentities.has(`${e.sessionId}\u0000${rows[i]!.dedup_key}`));
    const deltas = foldDeltas(accountId, inserted);
    if (deltas.length > 0) {
      await trx
        .insertInto('sessions')
        .values(deltas)
        .onConflict((oc) =>
          oc.columns(['account_id', 'id']).doUpdateSet({
            min_start_at: merged('min_start_at', 'min'),
            max_start_at: merged('max_start_at', 'max'),
            max_end_at: merged('max_end_at', 'max'),
            min_event_at: merged('min_event_at', 'min') as RawBuilder<number>,
            max_event_at: merged('max_event_at', 'max') as RawBuilder<number>,
            started_at: sql<number>`coalesce(${merged('min_start_at', 'min')}, ${merged('min_event_at', 'min')})`,
            event_count: sql<number>`sessions.event_count + excluded.event_count`,
            tool_invocations: sql<number>`sessions.tool_invocations + excluded.tool_invocations`,
          }),
        )
        .execute();
    }
    const toolDeltas = foldToolDeltas(accountId, inserted);
    if (toolDeltas.length > 0) {
      await trx
        .insertInto('session_tools')
        .values(toolDeltas)
        .onConflict((oc) =>
          oc.columns(['account_id', 'session_id', 'tool_name']).doUpdateSet({
            invocations: summed('invocations'),
            results: summed('results'),
            errors: summed('errors'),
            duration_sum_us: saturatingSum('duration_sum_us'),
            duration_count: summed('duration_count'),
          }),
        )
        .execute();
    }
    return {
      inserted: inserted.length,
      duplicates: events.length - inserted.length,
      touchedSessions: deltas.map((d) => d.id),
    };
  }));
}
