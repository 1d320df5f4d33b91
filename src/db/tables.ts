import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

/** Instants are stored as milliseconds since the Unix epoch (bigint columns). */
type Millis = ColumnType<number, number, number>;

export interface AccountsTable {
  id: Generated<number>;
  slug: string;
  created_at: Millis;
}

export interface ApiKeysTable {
  id: string;
  account_id: number;
  name: string | null;
  prefix: string;
  key_hash: string;
  scopes: string;
  tier: string;
  created_at: Millis;
  last_used_at: Millis | null;
  revoked_at: Millis | null;
}

export interface EventsTable {
  id: Generated<number>;
  account_id: number;
  session_id: string;
  event_type: string;
  ts: Millis;
  event_id: string | null;
  dedup_key: string;
  data: string;
  /** `data.tool_use_id` when it is a string. */
  tool_use_id: string | null;
  /** 1 when reported by Claude Code's OTLP export, 0 from any other source (migration 0007). */
  reported: ColumnType<number, number | undefined, number>;
}

/**
 * One row per (account, session), folded at ingestion. Every column is a commutative
 * aggregate (min, max, count) of the stored events, so the row is the same whatever
 * the order or batching of delivery.
 */
export interface SessionsTable {
  account_id: number;
  id: string;
  started_at: Millis;
  min_start_at: Millis | null;
  max_start_at: Millis | null;
  max_end_at: Millis | null;
  min_event_at: Millis;
  max_event_at: Millis;
  event_count: number;
  tool_invocations: number;
  /**
   * The same aggregates over the events reported by OTLP alone, and the count of events from every other source:
   * the columns above are the direct events' aggregates when `direct_events > 0`, else the reported ones'.
   */
  r_min_start_at: Millis | null;
  r_max_start_at: Millis | null;
  r_max_end_at: Millis | null;
  r_min_event_at: Millis | null;
  r_max_event_at: Millis | null;
  r_event_count: ColumnType<number, number | undefined, number>;
  r_tool_invocations: ColumnType<number, number | undefined, number>;
  direct_events: ColumnType<number, number | undefined, number>;
}

/**
 * One row per (account, session, tool name), folded at ingestion from the stored `tool_use`
 * and `tool_result` events that carry a string `data.tool_name`. Every column is a sum, so the
 * row does not depend on order, batching or repetition.
 */
export interface SessionToolsTable {
  account_id: number;
  session_id: string;
  tool_name: string;
  /** `tool_use` events. */
  invocations: number;
  /** `tool_result` events. */
  results: number;
  /** `tool_result` events with `data.is_error === true`. */
  errors: number;
  /** Sum of `data.duration_ms` of `tool_result` events, in whole microseconds. */
  duration_sum_us: number;
  /** `tool_result` events that carried a usable `data.duration_ms`. */
  duration_count: number;
}

/** Sessions started per (account, UTC day); kept by triggers on `sessions` (migration 0004). */
export interface SessionDaysTable {
  account_id: number;
  day: number;
  sessions: number;
}

/** Per (account, hour of the sessions' start, tool): the sums of those sessions' `session_tools` rows (migration 0008). */
export interface ToolHoursTable {
  account_id: number;
  /** Hours since 1970-01-01T00:00Z. */
  hour: number;
  tool_name: string;
  invocations: number;
  errors: number;
  /** A float: a sum of per-session sums may pass 2^63. */
  duration_sum_us: number;
  duration_count: number;
}

export interface RateCountersTable {
  key_id: string;
  bucket: string;
  window_start: number;
  used: number;
}

/** One model request (migration 0007): each source's tokens merged by max; reads prefer the transcript's. */
export interface ModelRequestsTable {
  account_id: number;
  session_id: string;
  request_key: string;
  model: string;
  /** Epoch milliseconds. */
  ts: number;
  fast: number;
  from_transcript: number;
  from_otlp: number;
  t_input: number;
  t_output: number;
  t_cache_write_5m: number;
  t_cache_write_1h: number;
  t_cache_read: number;
  o_input: number;
  o_output: number;
  o_cache_write: number;
  o_cache_read: number;
  /** Claude Code's own estimate, in nano-USD. */
  o_cost_nanos: number | null;
}

export interface ModelRequestErrorsTable {
  account_id: number;
  session_id: string;
  error_key: string;
  model: string;
  /** Epoch milliseconds. */
  ts: number;
  status_code: number | null;
}

/** Per-session OTLP counters: a delta point per row, or a cumulative series' latest total (migration 0007). */
export interface SessionMetricsTable {
  account_id: number;
  session_id: string;
  metric: string;
  series: string;
  point_key: string;
  value: number;
}

export interface Tables {
  accounts: AccountsTable;
  api_keys: ApiKeysTable;
  events: EventsTable;
  sessions: SessionsTable;
  session_days: SessionDaysTable;
  session_tools: SessionToolsTable;
  tool_hours: ToolHoursTable;
  rate_counters: RateCountersTable;
  model_requests: ModelRequestsTable;
  model_request_errors: ModelRequestErrorsTable;
  session_metrics: SessionMetricsTable;
}

export type SessionRow = Selectable<SessionsTable>;
export type NewEvent = Insertable<EventsTable>;
export type ApiKeyRow = Selectable<ApiKeysTable>;
