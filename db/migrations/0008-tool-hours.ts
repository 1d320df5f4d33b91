import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { EngineName } from '../../src/db/engine-name.js';

/** Floor of `column / 3 600 000` in integer arithmetic: the same on SQLite and PostgreSQL, also before 1970. */
function hourOf(column: string): RawBuilder<number> {
  const c = sql.raw(column);
  return sql`((${c} - (((${c} % 3600000) + 3600000) % 3600000)) / 3600000)`;
}

const COUNTERS = ['invocations', 'errors', 'duration_sum_us', 'duration_count'] as const;
const columns = sql.raw(`account_id, hour, tool_name, ${COUNTERS.join(', ')}`);

/** `on conflict … do update` adding the arriving row to the stored one. */
function addOnConflict(): RawBuilder<unknown> {
  const sets = COUNTERS.map((c) => `${c} = tool_hours.${c} + excluded.${c}`).join(', ');
  return sql.raw(`on conflict (account_id, hour, tool_name) do update set ${sets}`);
}

/** `value` of each counter, negated when `sign` is -1. */
function counters(row: string, sign: 1 | -1): RawBuilder<unknown> {
  return sql.raw(COUNTERS.map((c) => `${sign === 1 ? '' : '-'}${row}${c}`).join(', '));
}

/**
 * Per (account, hour of the session's start, tool): the sums of the `session_tools` rows of the sessions that started
 * in that hour, so the tools breakdown reads a row per hour and tool for the whole hours of its range, and the
 * sessions' own rows only for a partial first and last hour (at most an hour of sessions each, where a day's could
 * be tens of thousands: a range in local days, or one ending now, is seldom cut at UTC midnight).
 * Ingestion adds each batch's tool counters here itself, summed by hour and tool (src/ingest/tool-hours.ts): far fewer
 * writes than a trigger per tool row. Triggers carry what a batch cannot see, whoever writes: a session whose start
 * moves to another hour takes its tool rows along, and a deleted tool row is taken away.
 * Duration sums are floats here, exact while an hour's sum for a tool stays below 2^53 µs (285 years): a sum of
 * per-session sums (each below 2^53) could pass bigint's range, and the breakdown summed them as floats already.
 */
export async function up(db: Kysely<unknown>, dialect: EngineName): Promise<void> {
  const table = db.schema
    .createTable('tool_hours')
    .addColumn('account_id', 'bigint', (c) => c.notNull())
    .addColumn('hour', 'bigint', (c) => c.notNull())
    .addColumn('tool_name', 'text', (c) => c.notNull())
    .addColumn('invocations', 'bigint', (c) => c.notNull())
    .addColumn('errors', 'bigint', (c) => c.notNull())
    .addColumn('duration_sum_us', 'double precision', (c) => c.notNull())
    .addColumn('duration_count', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('tool_hours_pk', ['account_id', 'hour', 'tool_name']);
  await (dialect === 'sqlite' ? table.modifyEnd(sql`without rowid`) : table).execute();

  // The tool rows whose duration sum stopped at its ceiling (store-events.ts): almost always none. Ingestion looks
  // for a batch's among them here rather than have every upserted row returned (src/ingest/tool-hours.ts).
  await sql`create index session_tools_at_ceiling on session_tools (account_id, session_id)
    where duration_sum_us >= ${sql.lit(Number.MAX_SAFE_INTEGER)}`.execute(db);

  if (dialect === 'sqlite') await sqliteTriggers(db);
  else await postgresTriggers(db);

  await sql`
    insert into tool_hours (${columns})
    select t.account_id, ${hourOf('s.started_at')}, t.tool_name, sum(t.invocations), sum(t.errors),
      sum(cast(t.duration_sum_us as double precision)), sum(t.duration_count)
    from session_tools t join sessions s on s.account_id = t.account_id and s.id = t.session_id
    group by t.account_id, ${hourOf('s.started_at')}, t.tool_name`.execute(db);
}

/** Takes the deleted tool row `old.` away at its session's hour. */
const takeDeletedRow = sql`
  insert into tool_hours (${columns})
  select old.account_id, ${hourOf('s.started_at')}, old.tool_name, ${counters('old.', -1)}
  from sessions s where s.account_id = old.account_id and s.id = old.session_id
  ${addOnConflict()};`;

/** Adds (1) or takes away (-1) all tool rows of the session `row` (`new.` or `old.`) at the hour of its start. */
function sessionAt(row: string, sign: 1 | -1): RawBuilder<unknown> {
  return sql`
    insert into tool_hours (${columns})
    select t.account_id, ${hourOf(`${row}started_at`)}, t.tool_name, ${counters('t.', sign)}
    from session_tools t where t.account_id = ${sql.raw(`${row}account_id`)} and t.session_id = ${sql.raw(`${row}id`)}
    ${addOnConflict()};`;
}

const hourMoved = sql`${hourOf('old.started_at')} <> ${hourOf('new.started_at')}`;

async function sqliteTriggers(db: Kysely<unknown>): Promise<void> {
  await sql`create trigger session_tools_hour_delete after delete on session_tools begin ${takeDeletedRow} end`.execute(db);
  await sql`
    create trigger sessions_tools_hour_move after update of started_at on sessions when ${hourMoved}
    begin ${sessionAt('old.', -1)} ${sessionAt('new.', 1)} end`.execute(db);
}

async function postgresTriggers(db: Kysely<unknown>): Promise<void> {
  await sql`
    create function session_tools_hour_delete() returns trigger language plpgsql as $$
    begin ${takeDeletedRow} return null; end $$`.execute(db);
  await sql`
    create trigger session_tools_hour_delete after delete on session_tools
    for each row execute function session_tools_hour_delete()`.execute(db);
  await sql`
    create function sessions_tools_hour_move() returns trigger language plpgsql as $$
    begin ${sessionAt('old.', -1)} ${sessionAt('new.', 1)} return null; end $$`.execute(db);
  await sql`
    create trigger sessions_tools_hour_move after update of started_at on sessions
    for each row when (${hourMoved}) execute function sessions_tools_hour_move()`.execute(db);
}
