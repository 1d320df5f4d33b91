import { sql, type Kysely, type RawBuilder } from 'kysely';
import { RowInsert, type PgColumnTypes } from '../db/row-insert.js';
import type { SessionToolsTable, Tables, ToolDaysTable } from '../db/tables.js';
import { dayEnd, dayOf, dayStart } from '../time/utc-days.js';

/** A session_tools row as the batch's upsert left it: where a duration sum stopped at its ceiling. */
export interface AppliedToolRow {
  session_id: string;
  tool_name: string;
  duration_sum_us: number;
}

const COLUMNS: PgColumnTypes<ToolDaysTable> = {
  account_id: 'bigint', day: 'bigint', tool_name: 'text', invocations: 'bigint', errors: 'bigint',
  duration_sum_us: 'double precision', duration_count: 'bigint',
};

function added(column: keyof ToolDaysTable): RawBuilder<number> {
  return sql<number>`${sql.ref(`tool_days.${column}`)} + ${sql.ref(`excluded.${column}`)}`;
}

const TOOL_DAYS = new RowInsert('tool_days', COLUMNS, (insert) => insert
  .onConflict((oc) =>
    oc.columns(['account_id', 'day', 'tool_name']).doUpdateSet({
      invocations: added('invocations'),
      errors: added('errors'),
      duration_sum_us: added('duration_sum_us'),
      duration_count: added('duration_count'),
    }),
  ));

/**
 * Adds a batch's session_tools deltas to tool_days (migration 0008), summed per (day of the session's start, tool):
 * a live batch's sessions mostly started today, so a few rows instead of one per session and tool. `startedAt` is each
 * session's start as the batch left it (its tool rows from before the batch moved along with it, by trigger).
 * A session's duration sum stops at 2^53 − 1 (store-events.ts), so where the upsert left one there, the delta is not
 * what was added: that day's sum is then recounted from its sessions, which only absurd durations ever cause.
 */
export async function addToolDays(
  trx: Kysely<Tables>,
  accountId: number,
  deltas: readonly SessionToolsTable[],
  startedAt: ReadonlyMap<string, number>,
  applied: readonly AppliedToolRow[],
): Promise<void> {
  const cells = new Map<string, ToolDaysTable>();
  for (const d of deltas) {
    const day = dayOf(startedAt.get(d.session_id)!);
    const key = `${day}\u0000${d.tool_name}`;
    const cell = cells.get(key);
    if (cell) {
      cell.invocations += d.invocations;
      cell.errors += d.errors;
      cell.duration_sum_us += d.duration_sum_us;
      cell.duration_count += d.duration_count;
    } else {
      cells.set(key, {
        account_id: accountId, day, tool_name: d.tool_name, invocations: d.invocations, errors: d.errors,
        duration_sum_us: d.duration_sum_us, duration_count: d.duration_count,
      });
    }
  }
  // One order for every writer, as for the other folded tables.
  const rows = [...cells.values()].sort((a, b) => a.day - b.day || (a.tool_name < b.tool_name ? -1 : a.tool_name > b.tool_name ? 1 : 0));
  await TOOL_DAYS.run(trx, rows);

  const ceilinged = new Map<string, { day: number; toolName: string }>();
  for (const row of applied) {
    if (Number(row.duration_sum_us) < Number.MAX_SAFE_INTEGER) continue;
    const day = dayOf(startedAt.get(row.session_id)!);
    ceilinged.set(`${day}\u0000${row.tool_name}`, { day, toolName: row.tool_name });
  }
  for (const { day, toolName } of ceilinged.values()) await recountDurations(trx, accountId, day, toolName);
}

async function recountDurations(trx: Kysely<Tables>, accountId: number, day: number, toolName: string): Promise<void> {
  await trx
    .updateTable('tool_days')
    .set({
      duration_sum_us: (eb) => eb
        .selectFrom('sessions as s')
        .innerJoin('session_tools as t', (join) => join.onRef('t.account_id', '=', 's.account_id').onRef('t.session_id', '=', 's.id'))
        .where('s.account_id', '=', accountId)
        .where('s.started_at', '>=', dayStart(day))
        .where('s.started_at', '<=', dayEnd(day))
        .where('t.tool_name', '=', toolName)
        .select(sql<number>`coalesce(sum(cast(${sql.ref('t.duration_sum_us')} as double precision)), 0)`.as('sum')),
    })
    .where('account_id', '=', accountId)
    .where('day', '=', day)
    .where('tool_name', '=', toolName)
    .execute();
}
