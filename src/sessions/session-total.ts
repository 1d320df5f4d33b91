import { sql, type Kysely, type RawBuilder } from 'kysely';
import { reusable, type Param } from '../db/reusable-query.js';
import type { Tables } from '../db/tables.js';
import type { SessionViewRow } from './session.js';
import { splitByDay, type MsRange } from './day-split.js';

/** A date filter on started_at, each bound inclusive, null when open. */
export interface SessionFilter {
  startMs: number | null;
  endMs: number | null;
}

/** Below and above every day `session_days` can hold (started_at is within years 0000–9999). */
const FIRST_DAY = Number.MIN_SAFE_INTEGER;
const LAST_DAY = Number.MAX_SAFE_INTEGER;
const EMPTY: MsRange = [1, 0];

/**
 * The arguments of {@link totalOf}, in its order: the filter's {@link splitByDay} as two ranges of
 * started_at (empty when not needed) and a range of whole days. One shape for every filter, so the
 * statement is prepared once.
 */
export function totalArguments(startMs: number | null, endMs: number | null): number[] {
  const { head, whole: days, tail } = splitByDay(startMs, endMs);
  const [first, last] = days ? [days.first ?? FIRST_DAY, days.last ?? LAST_DAY] : EMPTY;
  return [...(head ?? EMPTY), ...(tail ?? EMPTY), first, last];
}

/**
 * The number of an account's sessions within a filter as one expression (three uncorrelated subqueries,
 * each run once): `p(account)` is the account, `p(first)` to `p(first + 5)` are {@link totalArguments}.
 * The cost grows with the days in range, not with the sessions.
 */
export function totalOf(db: Kysely<Tables>, p: Param, account: number, first: number): RawBuilder<number> {
  const counted = (from: number, to: number) =>
    db
      .selectFrom('sessions')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('account_id', '=', p(account))
      .where('started_at', '>=', p(from))
      .where('started_at', '<=', p(to));
  const days = db
    .selectFrom('session_days')
    .select((eb) => eb.fn.sum('sessions').as('n'))
    .where('account_id', '=', p(account))
    .where('day', '>=', p(first + 4))
    .where('day', '<=', p(first + 5));
  return sql<number>`${counted(first, first + 1)} + ${counted(first + 2, first + 3)} + coalesce(${days}, 0)`;
}

/** The number of sessions matching the filter, in one statement. */
export async function countSessions(db: Kysely<Tables>, accountId: number, { startMs, endMs }: SessionFilter): Promise<number> {
  const query = reusable(db, 'sessions.total', (p) => db.selectNoFrom(totalOf(db, p, 0, 1).as('n')));
  const [row] = await query.execute(db, accountId, ...totalArguments(startMs, endMs));
  return Number(row?.n ?? 0);
}

/** A page's row read with the filter's total beside it (PostgreSQL's page-and-total statements). */
export type CountedRow = SessionViewRow & { total: number | string };

/** The rows and the filter's total: read off the first row, or counted apart when the page is empty. */
export async function rowsAndTotal(db: Kysely<Tables>, accountId: number, filter: SessionFilter, rows: CountedRow[]): Promise<{ rows: SessionViewRow[]; total: number }> {
  const total = rows.length > 0 ? Number(rows[0]!.total) : await countSessions(db, accountId, filter);
  return { rows, total };
}
