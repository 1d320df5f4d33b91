/** Which folded table a difference is in. */
export type FoldedTable = 'sessions' | 'session_tools' | 'session_days' | 'tool_hours';

/**
 * One value where a folded row disagrees with what its events say. A row that should not exist
 * (or is missing) is the field `row` with `present` / `absent`.
 */
export interface Difference {
  /** The account's slug, or `#<id>` for rows whose account id has no `accounts` row. */
  account: string;
  table: FoldedTable;
  /** Null for `session_days` and `tool_hours`. */
  session_id: string | null;
  /** `session_tools` and `tool_hours` only. */
  tool_name: string | null;
  /** `session_days` only: the UTC day, `YYYY-MM-DD`. */
  day: string | null;
  /** `tool_hours` only: the hour, as the instant it starts, `YYYY-MM-DDTHH:00Z`. */
  hour: string | null;
  field: string;
  /** Instants are milliseconds since the Unix epoch. */
  stored: number | string | null;
  recomputed: number | string | null;
}
