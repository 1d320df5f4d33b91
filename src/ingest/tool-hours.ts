import { sql, type Kysely } from 'kysely';
import { RowInsert, type PgColumnTypes } from '../db/row-insert.js';
import { upsertSum } from '../db/upsert-sum.js';
import { runsOnPostgres } from '../db/runs-on-postgres.js';
import type { SessionToolsTable, Tables, ToolHoursTable } from '../db/tables.js';
import { hourEnd, hourOf, hourStart } from '../time/utc-hours.js';
import { byCodeUnit } from '../by-code-unit.js';

const COLUMNS: PgColumnTypes<ToolHoursTable> = {
  account_id: 'bigint', hour: 'bigint', tool_name: 'text', invocations: 'bigint', errors: 'bigint',
  duration_sum_us: 'double precision', duration_count: 'bigint',
};

const added = (column: keyof ToolHoursTable) => upsertSum('tool_hours', column);

const TOOL_HOURS = new RowInsert('tool_hours', COLUMNS, (insert) => insert
  .onConflict((oc) =>
    oc.columns(['account_id', 'hour', 'tool_name']).doUpdateSet({
      invocations: added('invocations'),
      errors: added('errors'),
      duration_sum_us: added('duration_sum_us'),
      duration_count: added('duration_count'),
    }),
  ));

/**
 * Adds a batch's session_tools deltas to tool_hours (migration 0008), summed per (hour of the session's start, tool):
 * a live batch's sessions mostly started in the last hours, so a few rows instead of one per session and tool.
 * `startedAt` is each session's start as the batch left it (its tool rows from before the batch moved along with it,
 * by trigger). A session's duration sum stops at 2^53 − 1 (store-events.ts), so where the upsert left one there, the
 * delta is not what was added: that hour's sum is then recounted from its sessions, which only absurd durations cause.
 * Those rows are found in a partial index that holds only them (migration 0008), not by returning every upserted row.
 */
export async function addToolHours(
  trx: Kysely<Tables>,
  accountId: number,
  deltas: readonly SessionToolsTable[],
  startedAt: ReadonlyMap<string, number>,
): Promise<void> {
  const cells = new Map<string, ToolHoursTable>();
  for (const d of deltas) {
    const hour = hourOf(startedAt.get(d.session_id)!);
    const key = `${hour}\u0000${d.tool_name}`;
    const cell = cells.get(key);
    if (cell) {
      cell.invocations += d.invocations;
      cell.errors += d.errors;
      cell.duration_sum_us += d.duration_sum_us;
      cell.duration_count += d.duration_count;
    } else {
      cells.set(key, {
        account_id: accountId, hour, tool_name: d.tool_name, invocations: d.invocations, errors: d.errors,
        duration_sum_us: d.duration_sum_us, duration_count: d.duration_count,
      });
    }
  }
  // One order for every writer, as for the other folded tables.
  const rows = [...cells.values()].sort((a, b) => a.hour - b.hour || byCodeUnit(a.tool_name, b.tool_name));
  await TOOL_HOURS.run(trx, rows);

  // A recount is exact whatever the batch added, so every such row of the batch's sessions is recounted.
  const ceilinged = new Map<string, { hour: number; toolName: string }>();
  for (const row of await rowsAtCeiling(trx, accountId, [...startedAt.keys()])) {
    const hour = hourOf(startedAt.get(row.session_id)!);
    ceilinged.set(`${hour}\u0000${row.tool_name}`, { hour, toolName: row.tool_name });
  }
  for (const { hour, toolName } of ceilinged.values()) await recountDurations(trx, accountId, hour, toolName);
}

/** The tool rows of these sessions whose duration sum stopped at 2^53 − 1: almost always none, read from an index of them. */
async function rowsAtCeiling(trx: Kysely<Tables>, accountId: number, sessionIds: readonly string[]): Promise<{ session_id: string; tool_name: string }[]> {
  // SQLite would rather seek each session's rows in the primary key: told to use the (nearly empty) partial index.
  const [from, inBatch] = runsOnPostgres(trx)
    ? [sql`session_tools`, sql`session_id = any(${sessionIds}::text[])`]
    : [sql`session_tools indexed by session_tools_at_ceiling`, sql`session_id in (select value from json_each(${JSON.stringify(sessionIds)}))`];
  const { rows } = await sql<{ session_id: string; tool_name: string }>`
    select session_id, tool_name from ${from}
    where account_id = ${accountId} and duration_sum_us >= ${sql.lit(Number.MAX_SAFE_INTEGER)} and ${inBatch}`.execute(trx);
  return rows;
}

async function recountDurations(trx: Kysely<Tables>, accountId: number, hour: number, toolName: string): Promise<void> {
  await trx
    .updateTable('tool_hours')
    .set({
      duration_sum_us: (eb) => eb
        .selectFrom('sessions as s')
        .innerJoin('session_tools as t', (join) => join.onRef('t.account_id', '=', 's.account_id').onRef('t.session_id', '=', 's.id'))
        .where('s.account_id', '=', accountId)
        .where('s.started_at', '>=', hourStart(hour))
        .where('s.started_at', '<=', hourEnd(hour))
        .where('t.tool_name', '=', toolName)
        .select(sql<number>`coalesce(sum(cast(${sql.ref('t.duration_sum_us')} as double precision)), 0)`.as('sum')),
    })
    .where('account_id', '=', accountId)
    .where('hour', '=', hour)
    .where('tool_name', '=', toolName)
    .execute();
}
