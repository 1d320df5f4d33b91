import { sql, type Kysely } from 'kysely';
import type { EngineName } from '../../src/db/engine-name.js';

/** Floor of `column / 86 400 000` in integer arithmetic: the same on SQLite and PostgreSQL, also before 1970. */
function utcDay(column: string) {
  const c = sql.raw(column);
  return sql`((${c} - (((${c} % 86400000) + 86400000) % 86400000)) / 86400000)`;
}

/**
 * Sessions started per (account, UTC day), kept by triggers on `sessions` so that no writer can
 * miss a move: `total` and deep offsets then cost work per day in range, not per session.
 * A session's start can move to an earlier day when an earlier event arrives late; the update
 * trigger moves its count with it.
 */
export async function up(db: Kysely<unknown>, dialect: EngineName): Promise<void> {
  const table = db.schema
    .createTable('session_days')
    .addColumn('account_id', 'bigint', (c) => c.notNull())
    .addColumn('day', 'bigint', (c) => c.notNull())
    .addColumn('sessions', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('session_days_pk', ['account_id', 'day']);
  await (dialect === 'sqlite' ? table.modifyEnd(sql`without rowid`) : table).execute();

  if (dialect === 'sqlite') {
    await sql`
      create trigger sessions_count_day_insert after insert on sessions begin
        insert into session_days (account_id, day, sessions) values (new.account_id, ${utcDay('new.started_at')}, 1)
        on conflict (account_id, day) do update set sessions = sessions + 1;
      end`.execute(db);
    await sql`
      create trigger sessions_count_day_move after update of started_at on sessions
      when ${utcDay('old.started_at')} <> ${utcDay('new.started_at')} begin
        update session_days set sessions = sessions - 1
          where account_id = old.account_id and day = ${utcDay('old.started_at')};
        insert into session_days (account_id, day, sessions) values (new.account_id, ${utcDay('new.started_at')}, 1)
        on conflict (account_id, day) do update set sessions = sessions + 1;
      end`.execute(db);
  } else {
    await sql`
      create function sessions_count_day() returns trigger language plpgsql as $$
      begin
        if tg_op = 'UPDATE' then
          if ${utcDay('old.started_at')} = ${utcDay('new.started_at')} then return null; end if;
          update session_days set sessions = sessions - 1
            where account_id = old.account_id and day = ${utcDay('old.started_at')};
        end if;
        insert into session_days (account_id, day, sessions) values (new.account_id, ${utcDay('new.started_at')}, 1)
        on conflict (account_id, day) do update set sessions = session_days.sessions + 1;
        return null;
      end $$`.execute(db);
    await sql`
      create trigger sessions_count_day after insert or update of started_at on sessions
      for each row execute function sessions_count_day()`.execute(db);
  }

  await sql`
    insert into session_days (account_id, day, sessions)
    select account_id, ${utcDay('started_at')}, count(*) from sessions group by account_id, ${utcDay('started_at')}`.execute(db);
}
