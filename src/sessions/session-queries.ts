import type { Kysely } from 'kysely';
import { reusable, type Param } from '../db/reusable-query.js';
import { runsOnPostgres } from '../db/runs-on-postgres.js';
import type { Tables } from '../db/tables.js';
import { compareKeys, type SessionKey } from './session-cursor.js';
import type { SessionOrder } from './session-order.js';
import { SESSION_VIEW_COLUMNS, type SessionViewRow } from './session.js';
import { dayEnd, dayOf, dayStart } from '../time/utc-days.js';
import { splitByDay, type MsRange } from './day-split.js';
import { countSessions, rowsAndTotal, totalArguments, totalOf, type SessionFilter } from './session-total.js';

export type { SessionFilter };

export interface SessionPageQuery extends SessionFilter {
  limit: number;
  offset: number;
  order: SessionOrder;
}

/** Below this, OFFSET over the index is cheaper than locating the page through day counts. */
const SEEK_FROM_OFFSET = 1_000;

/** A run of the filtered sessions within one UTC day, in ascending order: `count` sessions starting at or after `fromMs`. */
interface Segment {
  count: number;
  fromMs: number;
}

type Bounds = 'from' | 'to' | 'both' | 'none';

function boundsOf(fromMs: number | null, toMs: number | null): Bounds {
  return fromMs !== null ? (toMs !== null ? 'both' : 'from') : toMs !== null ? 'to' : 'none';
}

/** Sessions of an account within optional bounds on started_at; arguments 0, 1, 2: account, from, to. */
function inRange(db: Kysely<Tables>, bounds: Bounds, p: (i: number) => never) {
  let query = db.selectFrom('sessions').where('account_id', '=', p(0));
  if (bounds === 'from' || bounds === 'both') query = query.where('started_at', '>=', p(1));
  if (bounds === 'to' || bounds === 'both') query = query.where('started_at', '<=', p(2));
  return query;
}

async function countRange(db: Kysely<Tables>, accountId: number, fromMs: number, toMs: number): Promise<number> {
  const query = reusable(db, 'sessions.countRange', (p) =>
    inRange(db, 'both', p).select((eb) => eb.fn.countAll().as('n')),
  );
  const [row] = await query.execute(db, accountId, fromMs, toMs);
  return Number(row?.n ?? 0);
}

async function wholeDays(db: Kysely<Tables>, accountId: number, first: number | null, last: number | null) {
  const bounds = boundsOf(first, last);
  const query = reusable(db, `sessions.wholeDays.${bounds}`, (p) => {
    let days = db
      .selectFrom('session_days')
      .select(['day', 'sessions'])
      .where('account_id', '=', p(0))
      .where('sessions', '>', 0);
    if (bounds === 'from' || bounds === 'both') days = days.where('day', '>=', p(1));
    if (bounds === 'to' || bounds === 'both') days = days.where('day', '<=', p(2));
    return days.orderBy('day');
  });
  return query.execute(db, accountId, first, last);
}

/**
 * The filtered sessions cut into segments by {@link splitByDay}, in ascending order. Their sum is the
 * total ({@link countSessions} counts the same split in one statement); walking them finds where a
 * deep offset falls. The cost grows with the days in range, not with the sessions.
 */
async function segments(db: Kysely<Tables>, accountId: number, { startMs, endMs }: SessionFilter): Promise<Segment[]> {
  const { head, whole: days, tail } = splitByDay(startMs, endMs);
  const counted = async (range: MsRange | null): Promise<Segment[]> =>
    range ? [{ count: await countRange(db, accountId, range[0], range[1]), fromMs: range[0] }] : [];
  const whole = days ? await wholeDays(db, accountId, days.first, days.last) : [];
  return [...(await counted(head)), ...whole.map((d) => ({ count: Number(d.sessions), fromMs: dayStart(Number(d.day)) })), ...(await counted(tail))];
}

type TieSide = '<' | '<=' | '>' | '>=';

/**
 * How many sessions matching the filter come before `key` in `order` (and `key` itself when
 * `inclusive`): per-day counts up to the key's instant, then the sessions sharing that instant.
 */
export async function countSessionsBefore(db: Kysely<Tables>, accountId: number, filter: SessionFilter, key: SessionKey, order: SessionOrder, inclusive: boolean): Promise<number> {
  const { startMs, endMs } = filter;
  const asc = order === 'asc';
  const [fromMs, toMs] = asc
    ? [startMs, endMs === null ? key.startedAt - 1 : Math.min(endMs, key.startedAt - 1)]
    : [startMs === null ? key.startedAt + 1 : Math.max(startMs, key.startedAt + 1), endMs];
  const whole = fromMs !== null && toMs !== null && fromMs > toMs ? 0 : await countSessions(db, accountId, { startMs: fromMs, endMs: toMs });
  if ((startMs !== null && key.startedAt < startMs) || (endMs !== null && key.startedAt > endMs)) return whole;
  const side: TieSide = asc ? (inclusive ? '<=' : '<') : inclusive ? '>=' : '>';
  const query = reusable(db, `sessions.ties.${side}`, (p) =>
    db
      .selectFrom('sessions')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('account_id', '=', p(0))
      .where('started_at', '=', p(1))
      .where('id', side, p(2)),
  );
  const [row] = await query.execute(db, accountId, key.startedAt, key.id);
  return whole + Number(row?.n ?? 0);
}

/**
 * Keys strictly between `lower` and `upper` in (started_at, id) order. Every bound is one row-value
 * comparison, so both engines seek the (account_id, started_at, id) index to the window's edge
 * whatever else is bounded: with a separate `started_at >= ?` beside it SQLite seeks by that one
 * and walks to the cursor. A date filter is a key too: `started_at >= s` is `(started_at, id) >
 * (s, '')` and `started_at <= e` is `(started_at, id) < (e + 1, '')`, as ids are never empty.
 */
export interface KeyWindow {
  lower: SessionKey;
  upper: SessionKey;
}

/** Below and above every stored key (started_at is within years 0000–9999). */
export const LOWEST_KEY: SessionKey = { startedAt: Number.MIN_SAFE_INTEGER, id: '' };
export const HIGHEST_KEY: SessionKey = { startedAt: Number.MAX_SAFE_INTEGER, id: '' };

/** The date filter as a key window. */
export function filterWindow({ startMs, endMs }: SessionFilter): KeyWindow {
  return {
    lower: startMs === null ? LOWEST_KEY : { startedAt: startMs, id: '' },
    upper: endMs === null ? HIGHEST_KEY : { startedAt: endMs + 1, id: '' },
  };
}

/** Arguments 0 to 5: account, the window's lower key, its upper key, how many to take. */
function windowQuery(db: Kysely<Tables>, scan: SessionOrder, p: Param) {
  return db
    .selectFrom('sessions')
    .select(SESSION_VIEW_COLUMNS)
    .where('account_id', '=', p(0))
    .where((eb) => eb(eb.refTuple('started_at', 'id'), '>', eb.tuple(p(1), p(2))))
    .where((eb) => eb(eb.refTuple('started_at', 'id'), '<', eb.tuple(p(3), p(4))))
    .orderBy('started_at', scan)
    .orderBy('id', scan)
    .limit(p(5));
}

/** Up to `take` sessions of the window, read from its lower end (`asc`) or its upper end (`desc`), in that order. */
export async function selectSessionWindow(db: Kysely<Tables>, accountId: number, window: KeyWindow, scan: SessionOrder, take: number): Promise<SessionViewRow[]> {
  const query = reusable(db, `sessions.window.${scan}`, (p) => windowQuery(db, scan, p));
  const { lower, upper } = window;
  return query.execute(db, accountId, lower.startedAt, lower.id, upper.startedAt, upper.id, take);
}

/**
 * {@link selectSessionWindow} and the number of sessions matching `filter`: on PostgreSQL in one statement when the
 * window holds any, on SQLite in two.
 */
export async function selectSessionWindowAndTotal(
  db: Kysely<Tables>, accountId: number, window: KeyWindow, scan: SessionOrder, take: number, filter: SessionFilter,
): Promise<SessionPageRows> {
  if (!runsOnPostgres(db)) {
    const [rows, total] = await Promise.all([selectSessionWindow(db, accountId, window, scan, take), countSessions(db, accountId, filter)]);
    return { rows, total };
  }
  const query = reusable(db, `sessions.windowAndTotal.${scan}`, (p) => windowQuery(db, scan, p).select(totalOf(db, p, 0, 6).as('total')));
  const { lower, upper } = window;
  const rows = await query.execute(db, accountId, lower.startedAt, lower.id, upper.startedAt, upper.id, take, ...totalArguments(filter.startMs, filter.endMs));
  return rowsAndTotal(db, accountId, filter, rows);
}

export type BesideSide = 'atOrBelow' | 'atOrAbove';

/**
 * Sessions above `from` and at most `to` ('atOrBelow'), or at least `from` and below `to` ('atOrAbove'), one at most:
 * arguments `p(0)` the account, `p(first)` to `p(first + 3)` the two keys.
 */
function besideQuery(db: Kysely<Tables>, p: Param, side: BesideSide, first: number) {
  return db
    .selectFrom('sessions')
    .select('id')
    .where('account_id', '=', p(0))
    .where((eb) => eb(eb.refTuple('started_at', 'id'), side === 'atOrBelow' ? '>' : '>=', eb.tuple(p(first), p(first + 1))))
    .where((eb) => eb(eb.refTuple('started_at', 'id'), side === 'atOrBelow' ? '<=' : '<', eb.tuple(p(first + 2), p(first + 3))))
    .limit(1);
}

/**
 * The keys {@link besideQuery} looks between for sessions of `window` at or beyond `key` on `side`; null when `key`
 * lies beyond the window's far edge, as it then bounds nothing: the question is whether the window holds any.
 */
function besideRange(window: KeyWindow, key: SessionKey, side: BesideSide): [SessionKey, SessionKey] | null {
  const { lower, upper } = window;
  if (side === 'atOrBelow' ? compareKeys(key, upper) >= 0 : compareKeys(key, lower) <= 0) return null;
  return side === 'atOrBelow' ? [lower, key] : [key, upper];
}

/** Whether a session's key is above `lower` and at most `key`: `side` 'atOrBelow'; or at least `key` and below `upper`: 'atOrAbove'. */
async function anySessionBeside(db: Kysely<Tables>, accountId: number, window: KeyWindow, key: SessionKey, side: BesideSide): Promise<boolean> {
  const range = besideRange(window, key, side);
  if (range === null) return (await selectSessionWindow(db, accountId, window, 'asc', 1)).length > 0;
  const [from, to] = range;
  const query = reusable(db, `sessions.beside.${side}`, (p) => besideQuery(db, p, side, 1));
  const rows = await query.execute(db, accountId, from.startedAt, from.id, to.startedAt, to.id);
  return rows.length > 0;
}

/** A cursor page's second question: whether any session of `within` lies at or beyond `key` on `side`. */
export interface BesideProbe {
  within: KeyWindow;
  key: SessionKey;
  side: BesideSide;
}

/**
 * {@link selectSessionWindowAndTotal} and the answer to `probe`, in the same statement when the window holds any
 * sessions (a page deep in the sessions then costs as many statements as the first page).
 */
export async function selectSessionWindowBeside(
  db: Kysely<Tables>, accountId: number, window: KeyWindow, scan: SessionOrder, take: number, filter: SessionFilter, probe: BesideProbe,
): Promise<SessionPageRows & { beside: boolean }> {
  const range = besideRange(probe.within, probe.key, probe.side);
  if (range === null) {
    const page = await selectSessionWindowAndTotal(db, accountId, window, scan, take, filter);
    return { ...page, beside: page.total > 0 };
  }
  const [from, to] = range;
  const { lower, upper } = window;
  const args = [accountId, lower.startedAt, lower.id, upper.startedAt, upper.id, take, from.startedAt, from.id, to.startedAt, to.id];
  const withBeside = (p: Param) => windowQuery(db, scan, p).select((eb) => eb.exists(besideQuery(db, p, probe.side, 6)).as('beside'));
  let rows: (SessionViewRow & { beside: unknown })[];
  let total: number;
  if (runsOnPostgres(db)) {
    const query = reusable(db, `sessions.windowTotalBeside.${scan}.${probe.side}`, (p) => withBeside(p).select(totalOf(db, p, 0, 10).as('total')));
    const counted = await query.execute(db, ...args, ...totalArguments(filter.startMs, filter.endMs));
    rows = counted;
    total = (await rowsAndTotal(db, accountId, filter, counted)).total;
  } else {
    const query = reusable(db, `sessions.windowBeside.${scan}.${probe.side}`, withBeside);
    [rows, total] = await Promise.all([query.execute(db, ...args), countSessions(db, accountId, filter)]);
  }
  // The statement answers the probe on each row it returns; an empty window asks it apart.
  const beside = rows[0] ? Boolean(Number(rows[0].beside)) : await anySessionBeside(db, accountId, probe.within, probe.key, probe.side);
  return { rows, total, beside };
}

export interface SessionPageRows {
  rows: SessionViewRow[];
  total: number;
}

/**
 * One page in (started_at, id) order, ascending or descending, and the number of sessions matching the filter.
 * Up to SEEK_FROM_OFFSET, on PostgreSQL one statement reads both (the total on every row; an empty page counts
 * apart); on SQLite one counts, one reads.
 */
export async function selectSessionPage(db: Kysely<Tables>, accountId: number, page: SessionPageQuery): Promise<SessionPageRows> {
  const { startMs, endMs, offset, order } = page;
  if (offset < SEEK_FROM_OFFSET && runsOnPostgres(db)) {
    const bounds = boundsOf(startMs, endMs);
    const query = reusable(db, `sessions.pageAndTotal.${order}.${bounds}`, (p) =>
      inRange(db, bounds, p)
        .select(SESSION_VIEW_COLUMNS)
        .select(totalOf(db, p, 0, 5).as('total'))
        .orderBy('started_at', order)
        .orderBy('id', order)
        .limit(p(3))
        .offset(p(4)),
    );
    const rows = await query.execute(db, accountId, startMs, endMs, page.limit, offset, ...totalArguments(startMs, endMs));
    return rowsAndTotal(db, accountId, page, rows);
  }
  if (offset < SEEK_FROM_OFFSET) {
    const total = await countSessions(db, accountId, page);
    return { rows: offset < total ? await selectPage(db, accountId, page, startMs, endMs, offset) : [], total };
  }

  const parts = await segments(db, accountId, page);
  const total = parts.reduce((sum, s) => sum + s.count, 0);
  if (offset >= total) return { rows: [], total };
  // A deep offset narrows the range to begin at the segment it falls in (its first instant in
  // ascending order, its last in descending), so the database skips at most a day's sessions.
  let fromMs = startMs;
  let toMs = endMs;
  let skip = offset;
  const walk = order === 'desc' ? [...parts].reverse() : parts;
  let before = 0;
  for (const part of walk) {
    if (before + part.count > offset) {
      if (order === 'desc') {
        const lastInstant = dayEnd(dayOf(part.fromMs));
        toMs = endMs === null ? lastInstant : Math.min(endMs, lastInstant);
      } else {
        fromMs = startMs === null ? part.fromMs : Math.max(startMs, part.fromMs);
      }
      skip = offset - before;
      break;
    }
    before += part.count;
  }
  return { rows: await selectPage(db, accountId, page, fromMs, toMs, skip), total };
}

/** The page's rows within [fromMs, toMs], after skipping `skip`. */
function selectPage(db: Kysely<Tables>, accountId: number, page: SessionPageQuery, fromMs: number | null, toMs: number | null, skip: number): Promise<SessionViewRow[]> {
  const bounds = boundsOf(fromMs, toMs);
  const query =
    page.order === 'desc'
      ? reusable(db, `sessions.pageDesc.${bounds}`, (p) =>
          inRange(db, bounds, p).select(SESSION_VIEW_COLUMNS).orderBy('started_at', 'desc').orderBy('id', 'desc').limit(p(3)).offset(p(4)),
        )
      : reusable(db, `sessions.page.${bounds}`, (p) =>
          inRange(db, bounds, p).select(SESSION_VIEW_COLUMNS).orderBy('started_at').orderBy('id').limit(p(3)).offset(p(4)),
        );
  return query.execute(db, accountId, fromMs, toMs, page.limit, skip);
}

export async function selectSession(db: Kysely<Tables>, accountId: number, id: string): Promise<SessionViewRow | undefined> {
  const query = reusable(db, 'sessions.one', (p) =>
    db.selectFrom('sessions').select(SESSION_VIEW_COLUMNS).where('account_id', '=', p(0)).where('id', '=', p(1)),
  );
  const [row] = await query.execute(db, accountId, id);
  return row;
}
