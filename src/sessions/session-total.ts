import { sql, type Kysely, type RawBuilder } from 'kysely';
import { reusable, type Param } from '../db/reusable-query.js';
import type { Tables } from '../db/tables.js';

const DAY_MS = 86_400_000;
const dayOf = (ms: number) => Math.floor(ms / DAY_MS);

/** Below and above every day `session_days` can hold (started_at is within years 0000–9999). */
const FIRST_DAY = Number.MIN_SAFE_INTEGER;
const LAST_DAY = Number.MAX_SAFE_INTEGER;
const EMPTY: readonly [number, number] = [1, 0];

/**
 * The arguments of {@link totalOf}, in its order: a partial first day and a partial last day counted
 * over the index (each a range of started_at, empty when not needed), then the whole days between them
 * summed from `session_days`. One shape for every filter, so the statement is prepared once.
 */
export function totalArguments(startMs: number | null, endMs: number | null): number[] {
  if (startMs !== null && endMs !== null) {
    if (startMs > endMs) return [...EMPTY, ...EMPTY, ...EMPTY];
    if (dayOf(startMs) === dayOf(endMs)) return [startMs, endMs, ...EMPTY, ...EMPTY];
  }
  let head = EMPTY;
  let tail = EMPTY;
  let firstDay = FIRST_DAY;
  let lastDay = LAST_DAY;
  if (startMs !== null) {
    firstDay = dayOf(startMs);
    if (startMs !== firstDay * DAY_MS) {
      head = [startMs, (firstDay + 1) * DAY_MS - 1];
      firstDay += 1;
    }
  }
  if (endMs !== null) {
    lastDay = dayOf(endMs);
    if (endMs !== (lastDay + 1) * DAY_MS - 1) {
      tail = [lastDay * DAY_MS, endMs];
      lastDay -= 1;
    }
  }
  return [...head, ...tail, firstDay, lastDay];
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
export async function countSessions(db: Kysely<Tables>, accountId: number, { startMs, endMs }: { startMs: number | null; endMs: number | null }): Promise<number> {
  const query = reusable(db, 'sessions.total', (p) => db.selectNoFrom(totalOf(db, p, 0, 1).as('n')));
  const [row] = await query.execute(db, accountId, ...totalArguments(startMs, endMs));
  return Number(row?.n ?? 0);
}
