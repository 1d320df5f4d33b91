import { sql, type Kysely } from 'kysely';
import type { EngineName } from '../../src/db/engine-name.js';

/**
 * Claude Code's own telemetry (OTLP) and transcripts' token usage:
 * - `model_requests`: one row per model request, joined across sources on its request id. Each source keeps its
 *   own token columns (`t_*` from transcripts, `o_*` from OTLP), each merged by max, so the row does not depend on
 *   order or repetition; reads take the transcript's counts when it has them (they split 5 m and 1 h cache writes).
 * - `model_request_errors`: failed requests (OTLP `api_error`), one row per request.
 * - `session_metrics`: per-session counters from OTLP metrics, one row per point (delta) or per series (cumulative).
 * - `sessions` gains the aggregates of events reported by OTLP (`r_*`) and the count of events from every other
 *   source (`direct_events`): a session shows its direct events when it has any, else its reported ones.
 * - `events.reported`: 1 for an event reported by OTLP.
 */
export async function up(db: Kysely<unknown>, dialect: EngineName): Promise<void> {
  const requests = db.schema
    .createTable('model_requests')
    .addColumn('account_id', 'bigint', (c) => c.notNull())
    .addColumn('session_id', 'text', (c) => c.notNull())
    .addColumn('request_key', 'text', (c) => c.notNull())
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('ts', 'bigint', (c) => c.notNull())
    .addColumn('fast', 'integer', (c) => c.notNull())
    .addColumn('from_transcript', 'integer', (c) => c.notNull())
    .addColumn('from_otlp', 'integer', (c) => c.notNull())
    .addColumn('t_input', 'bigint', (c) => c.notNull())
    .addColumn('t_output', 'bigint', (c) => c.notNull())
    .addColumn('t_cache_write_5m', 'bigint', (c) => c.notNull())
    .addColumn('t_cache_write_1h', 'bigint', (c) => c.notNull())
    .addColumn('t_cache_read', 'bigint', (c) => c.notNull())
    .addColumn('o_input', 'bigint', (c) => c.notNull())
    .addColumn('o_output', 'bigint', (c) => c.notNull())
    .addColumn('o_cache_write', 'bigint', (c) => c.notNull())
    .addColumn('o_cache_read', 'bigint', (c) => c.notNull())
    .addColumn('o_cost_nanos', 'bigint')
    .addPrimaryKeyConstraint('model_requests_pk', ['account_id', 'session_id', 'request_key']);
  await (dialect === 'sqlite' ? requests.modifyEnd(sql`without rowid`) : requests).execute();
  // Usage over a range of days (analytics) reads requests by instant.
  await db.schema.createIndex('model_requests_account_ts').on('model_requests').columns(['account_id', 'ts']).execute();

  const errors = db.schema
    .createTable('model_request_errors')
    .addColumn('account_id', 'bigint', (c) => c.notNull())
    .addColumn('session_id', 'text', (c) => c.notNull())
    .addColumn('error_key', 'text', (c) => c.notNull())
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('ts', 'bigint', (c) => c.notNull())
    .addColumn('status_code', 'integer')
    .addPrimaryKeyConstraint('model_request_errors_pk', ['account_id', 'session_id', 'error_key']);
  await (dialect === 'sqlite' ? errors.modifyEnd(sql`without rowid`) : errors).execute();

  const metrics = db.schema
    .createTable('session_metrics')
    .addColumn('account_id', 'bigint', (c) => c.notNull())
    .addColumn('session_id', 'text', (c) => c.notNull())
    .addColumn('metric', 'text', (c) => c.notNull())
    .addColumn('series', 'text', (c) => c.notNull())
    .addColumn('point_key', 'text', (c) => c.notNull())
    .addColumn('value', 'double precision', (c) => c.notNull())
    .addPrimaryKeyConstraint('session_metrics_pk', ['account_id', 'session_id', 'metric', 'series', 'point_key']);
  await (dialect === 'sqlite' ? metrics.modifyEnd(sql`without rowid`) : metrics).execute();

  await db.schema.alterTable('events').addColumn('reported', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  for (const column of ['r_min_start_at', 'r_max_start_at', 'r_max_end_at', 'r_min_event_at', 'r_max_event_at']) {
    await db.schema.alterTable('sessions').addColumn(column, 'bigint').execute();
  }
  for (const column of ['r_event_count', 'r_tool_invocations', 'direct_events']) {
    await db.schema.alterTable('sessions').addColumn(column, 'bigint', (c) => c.notNull().defaultTo(0)).execute();
  }
  // Every event stored before this migration came from a direct source.
  await sql`update sessions set direct_events = event_count`.execute(db);
}
