import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { EngineName } from '../db/engine-name.js';
import type { SessionsTable, SessionToolsTable, Tables } from '../db/tables.js';
import { COUNTED_TOOL_NAME_CHARS } from '../ingest/counted-tool-name.js';

/** What a sessions row must hold, aggregated from the stored events alone (docs/api.md#how-events-fold-into-sessions). */
export type SessionAggregate = Omit<SessionsTable, 'account_id' | 'id'> & { session_id: string };

/** What a session_tools row must hold, aggregated from the stored events alone (docs/api.md#analytics). */
export type ToolAggregate = Omit<SessionToolsTable, 'account_id'>;

/**
 * The events of the given sessions, whose ids come in the database's order. The redundant range
 * lets PostgreSQL's planner see how few rows a chunk touches (with the IN list alone it estimates
 * thousands and scans the whole table each chunk).
 */
function ofSessions(accountId: number, ids: readonly string[]): RawBuilder<unknown> {
  return sql`account_id = ${accountId} and session_id in (${sql.join(ids)}) and session_id >= ${ids[0]!} and session_id <= ${ids[ids.length - 1]!}`;
}

/**
 * Deliberately written apart from src/ingest: one GROUP BY over the events of the given sessions,
 * so that a fault in the ingestion fold cannot hide itself here.
 */
export async function sessionAggregates(db: Kysely<Tables>, accountId: number, ids: readonly string[]): Promise<SessionAggregate[]> {
  if (ids.length === 0) return [];
  // A session shows its direct events when it has any, else those reported by OTLP (src/ingest/store-events.ts).
  const result = await sql<SessionAggregate>`
    select session_id,
      coalesce(min(case when shown = 1 and event_type = 'session_start' then ts end), min(case when shown = 1 then ts end)) as started_at,
      min(case when shown = 1 and event_type = 'session_start' then ts end) as min_start_at,
      max(case when shown = 1 and event_type = 'session_start' then ts end) as max_start_at,
      max(case when shown = 1 and event_type = 'session_end' then ts end) as max_end_at,
      min(case when shown = 1 then ts end) as min_event_at,
      max(case when shown = 1 then ts end) as max_event_at,
      sum(shown) as event_count,
      sum(case when shown = 1 and event_type = 'tool_use' then 1 else 0 end) as tool_invocations,
      min(case when reported = 1 and event_type = 'session_start' then ts end) as r_min_start_at,
      max(case when reported = 1 and event_type = 'session_start' then ts end) as r_max_start_at,
      max(case when reported = 1 and event_type = 'session_end' then ts end) as r_max_end_at,
      min(case when reported = 1 then ts end) as r_min_event_at,
      max(case when reported = 1 then ts end) as r_max_event_at,
      sum(reported) as r_event_count,
      sum(case when reported = 1 and event_type = 'tool_use' then 1 else 0 end) as r_tool_invocations,
      sum(1 - reported) as direct_events
    from (
      select session_id, event_type, ts, reported,
        case when reported = 0 or sum(1 - reported) over (partition by session_id) = 0 then 1 else 0 end as shown
      from events
      where ${ofSessions(accountId, ids)}
    ) as classed
    group by session_id`.execute(db);
  return result.rows;
}

/** The escapes JSON.stringify writes for U+0000 and for unpaired surrogates (lower-case hex). */
const UNSTORABLE_ESCAPES = [String.raw`\u0000`, ...['8', '9', 'a', 'b', 'c', 'd', 'e', 'f'].map((digit) => String.raw`\ud${digit}`)];

/**
 * PostgreSQL's json functions refuse a whole document that holds one of those escapes anywhere,
 * so there each is first replaced by `\ufffd`, an escape JSON.stringify never writes. Only a
 * backslash that starts an escape counts: one preceded by an even run of backslashes.
 */
const PG_UNSTORABLE = String.raw`(?<!\\)((?:\\\\)*)\\u(0000|d[89a-f][0-9a-f]{2})`;
const PG_PLACEHOLDER = String.raw`\ufffd`;

function pgParsable(data: RawBuilder<unknown>): RawBuilder<unknown> {
  const lowered = sql`lower(${data})`;
  return sql`case when strpos(${lowered}, ${String.raw`\u0000`}) > 0 or strpos(${lowered}, ${String.raw`\ud`}) > 0
    then regexp_replace(${data}, ${PG_UNSTORABLE}, ${String.raw`\1` + PG_PLACEHOLDER.replace('\\', '\\\\')}, 'gi') else ${data} end`;
}

/**
 * True when a JSON string token, as written in `data`, holds text that ingestion does not index
 * (src/ingest/storable-text.ts: U+0000 or an unpaired surrogate), read from its escapes. Pairs of
 * backslashes are dropped first (left to right, as JSON reads them), so an escaped backslash
 * followed by `u0000` is not taken for one.
 */
function unstorable(dialect: EngineName, token: RawBuilder<unknown>): RawBuilder<boolean> {
  const bare = sql`lower(replace(${token}, ${String.raw`\\`}, ''))`;
  if (dialect === 'postgres') return sql`(strpos(${bare}, ${PG_PLACEHOLDER}) > 0)`;
  return sql`(${sql.join(UNSTORABLE_ESCAPES.map((escape) => sql`instr(${bare}, ${escape}) > 0`), sql` or `)})`;
}

/**
 * The per-event fields the tool counters read from `data` (stored as canonical JSON text):
 * `tool_name` when a string ingestion can index (cut to the characters it counts, as countedToolName does: SQLite's
 * substr and PostgreSQL's left count code points), `is_error` when exactly `true`, `duration_ms` when a number.
 */
function toolFields(dialect: EngineName, accountId: number, ids: readonly string[]): RawBuilder<unknown> {
  const shown = sql`(reported = 0 or not exists (select 1 from events as direct where direct.account_id = events.account_id
    and direct.session_id = events.session_id and direct.reported = 0))`;
  const scope = sql`${ofSessions(accountId, ids)} and event_type in ('tool_use', 'tool_result') and ${shown}`;
  if (dialect === 'sqlite') {
    return sql`
      select session_id, event_type,
        case when json_type(data, '$.tool_name') = 'text' and not ${unstorable(dialect, sql`data -> '$.tool_name'`)}
          then substr(json_extract(data, '$.tool_name'), 1, ${sql.lit(COUNTED_TOOL_NAME_CHARS)}) end as tool_name,
        coalesce(json_type(data, '$.is_error') = 'true', 0) as is_error,
        case when json_type(data, '$.duration_ms') in ('integer', 'real') then json_extract(data, '$.duration_ms') end as ms
      from events where ${scope}`;
  }
  // json, not jsonb: it keeps each token as written, escapes included. `offset 0` keeps the
  // planner from inlining these expressions into every outer use (each reparses the document).
  return sql`
    select session_id, event_type,
      case when json_typeof(j -> 'tool_name') = 'string' and not ${unstorable(dialect, sql`(j -> 'tool_name')::text`)}
        then left(j ->> 'tool_name', ${sql.lit(COUNTED_TOOL_NAME_CHARS)}) end as tool_name,
      coalesce(json_typeof(j -> 'is_error') = 'boolean' and j ->> 'is_error' = 'true', false) as is_error,
      case when json_typeof(j -> 'duration_ms') = 'number' then (j ->> 'duration_ms')::float8 end as ms
    from (select session_id, event_type, (${pgParsable(sql.ref('data'))})::json as j from events where ${scope}) as parsed
    offset 0`;
}

/** The whole part of a non-negative double, as an integer. */
function whole(dialect: EngineName, x: RawBuilder<unknown>): RawBuilder<number> {
  return dialect === 'sqlite' ? sql`cast(${x} as integer)` : sql`floor(${x})::bigint`;
}

/**
 * Per-(session, tool) counters. A duration counts when `duration_ms` is a number ≥ 0 whose
 * microseconds, rounded half up, are at most 2^53 − 1; rounding is spelled out (whole part,
 * plus one when the exact remainder is at least a half) because PostgreSQL rounds halves to even.
 * The sum saturates at 2^53 − 1, as ingestion's does.
 */
export async function toolAggregates(
  db: Kysely<Tables>,
  dialect: EngineName,
  accountId: number,
  ids: readonly string[],
): Promise<ToolAggregate[]> {
  if (ids.length === 0) return [];
  const x = sql.ref('x');
  const micros = sql`case when ${x} <= 9007199254740991 then ${whole(dialect, x)} + case when ${x} - ${whole(dialect, x)} >= 0.5 then 1 else 0 end end`;
  const result = await sql<ToolAggregate>`
    select session_id, tool_name,
      sum(case when event_type = 'tool_use' then 1 else 0 end) as invocations,
      sum(case when event_type = 'tool_result' then 1 else 0 end) as results,
      sum(case when event_type = 'tool_result' and is_error then 1 else 0 end) as errors,
      coalesce(sum(case when event_type = 'tool_result' then us end), 0) as duration_sum_us,
      count(case when event_type = 'tool_result' then us end) as duration_count
    from (
      select session_id, event_type, tool_name, is_error, ${micros} as us
      from (
        select session_id, event_type, tool_name, is_error,
          case when ms >= 0 and ms < 1e300 then ms * 1000.0 end as x
        from (${toolFields(dialect, accountId, ids)}) as fields
        where tool_name is not null
      ) as scaled
    ) as counted
    group by session_id, tool_name`.execute(db);
  // Ingestion stops a tool's duration sum at 2^53 − 1 rather than overflow (store-events.ts): so does the recount.
  return result.rows.map((row) => ({ ...row, duration_sum_us: Math.min(Number.MAX_SAFE_INTEGER, Number(row.duration_sum_us)) }));
}
