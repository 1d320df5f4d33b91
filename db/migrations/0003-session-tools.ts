import { sql, type Kysely } from 'kysely';
import type { EngineName } from '../../src/db/engine-name.js';

/**
 * Per-session, per-tool counters folded at ingestion (docs/api.md#analytics), so analytics read
 * sessions and these rows and never scan events; and the timeline index for Session.events.
 * Events stored before this migration are folded here once, in JavaScript (portable SQL only).
 */
export async function up(db: Kysely<unknown>, dialect: EngineName): Promise<void> {
  const table = db.schema
    .createTable('session_tools')
    .addColumn('account_id', 'bigint', (c) => c.notNull())
    .addColumn('session_id', 'text', (c) => c.notNull())
    .addColumn('tool_name', 'text', (c) => c.notNull())
    .addColumn('invocations', 'bigint', (c) => c.notNull())
    .addColumn('results', 'bigint', (c) => c.notNull())
    .addColumn('errors', 'bigint', (c) => c.notNull())
    .addColumn('duration_sum_us', 'bigint', (c) => c.notNull())
    .addColumn('duration_count', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('session_tools_pk', ['account_id', 'session_id', 'tool_name']);
  // On SQLite the rows live in the primary-key b-tree: the analytics join reads a session's
  // tools in one seek instead of an index seek plus a row lookup per tool.
  await (dialect === 'sqlite' ? table.modifyEnd(sql`without rowid`) : table).execute();

  // The analytics totals (count, sums, distinct start days) read only this index: no row lookups.
  // It replaces sessions_account_started, whose columns it starts with (the sessions page order).
  await db.schema
    .createIndex('sessions_account_started_totals')
    .on('sessions')
    .columns(['account_id', 'started_at', 'id', 'event_count', 'tool_invocations'])
    .execute();
  await db.schema.dropIndex('sessions_account_started').execute();

  // The timeline: oldest first, ties in storage order. (account, session, dedup_key) cannot serve it.
  await db.schema
    .createIndex('events_timeline')
    .on('events')
    .columns(['account_id', 'session_id', 'ts', 'id'])
    .execute();

  await backfill(db);
}

interface ToolRow {
  account_id: number;
  session_id: string;
  tool_name: string;
  invocations: number;
  results: number;
  errors: number;
  duration_sum_us: number;
  duration_count: number;
}

const PAGE = 5000;

/** The same rules as src/ingest (frozen here, as a migration must be). */
async function backfill(db: Kysely<unknown>): Promise<void> {
  const rows = new Map<string, ToolRow>();
  let after = -1;
  for (;;) {
    const page = await sql<{ id: number; account_id: number; session_id: string; event_type: string; data: string }>`
      select id, account_id, session_id, event_type, data from events
      where id > ${after} and event_type in ('tool_use', 'tool_result')
      order by id limit ${PAGE}`.execute(db);
    for (const e of page.rows) {
      let data: Record<string, unknown>;
      try {
        data = JSON.parse(e.data) as Record<string, unknown>;
      } catch {
        continue;
      }
      const name = data?.['tool_name'];
      if (typeof name !== 'string') continue;
      const id = `${e.account_id}\u0000${e.session_id}\u0000${name}`;
      let row = rows.get(id);
      if (!row) {
        row = {
          account_id: Number(e.account_id), session_id: e.session_id, tool_name: name,
          invocations: 0, results: 0, errors: 0, duration_sum_us: 0, duration_count: 0,
        };
        rows.set(id, row);
      }
      if (e.event_type === 'tool_use') row.invocations += 1;
      else {
        row.results += 1;
        if (data['is_error'] === true) row.errors += 1;
        const d = data['duration_ms'];
        if (typeof d === 'number' && Number.isFinite(d) && d >= 0 && Number.isSafeInteger(Math.round(d * 1000))) {
          row.duration_sum_us += Math.round(d * 1000);
          row.duration_count += 1;
        }
      }
    }
    if (page.rows.length < PAGE) break;
    after = Number(page.rows[page.rows.length - 1]!.id);
  }
  const all = [...rows.values()];
  for (let i = 0; i < all.length; i += 500) {
    await db.insertInto('session_tools' as never).values(all.slice(i, i + 500) as never).execute();
  }
}
