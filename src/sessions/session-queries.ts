import type { Kysely } from 'kysely';
import type { SessionRow, Tables } from '../db/tables.js';

export interface SessionFilter {
  startMs: number | null;
  endMs: number | null;
}

export interface SessionPageQuery extends SessionFilter {
  limit: number;
  offset: number;
}

function filtered(db: Kysely<Tables>, accountId: number, filter: SessionFilter) {
  let query = db.selectFrom('sessions').where('account_id', '=', accountId);
  if (filter.startMs !== null) query = query.where('started_at', '>=', filter.startMs);
  if (filter.endMs !== null) query = query.where('started_at', '<=', filter.endMs);
  return query;
}

export async function selectSessionPage(
  db: Kysely<Tables>,
  accountId: number,
  page: SessionPageQuery,
): Promise<SessionRow[]> {
  return filtered(db, accountId, page)
    .selectAll()
    .orderBy('started_at')
    .orderBy('id')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
}

export async function countSessions(db: Kysely<Tables>, accountId: number, filter: SessionFilter): Promise<number> {
  const row = await filtered(db, accountId, filter)
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function selectSession(db: Kysely<Tables>, accountId: number, id: string): Promise<SessionRow | undefined> {
  return db
    .selectFrom('sessions')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('id', '=', id)
    .executeTakeFirst();
}
