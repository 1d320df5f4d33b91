import type { Kysely } from 'kysely';
import { reusable } from '../db/reusable-query.js';
import type { Tables } from '../db/tables.js';
import type { SessionOrder } from './session-order.js';
import { SESSION_VIEW_COLUMNS, type SessionViewRow } from './session.js';

export interface SessionFilter {
  startMs: number | null;
  endMs: number | null;
}

export interface SessionPageQuery extends SessionFilter {
  limit: number;
  offset: number;
  order: SessionOrder;
}

const DAY_MS = 86_400_000;
/** Below this, OFFSET over the index is cheaper than locating the page through day counts. */
const SEEK_FROM_OFFSET = 1_000;

const dayOf = (ms: number) => Math.floor(ms / DAY_MS);

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
 * The filtered sessions cut into segments: a partial first day and a partial last day counted over
 * the index (at most a day's sessions each), and whole days read from `session_days`. Their sum is
 * the total; walking them finds where a deep offset falls. The cost grows with the days in range,
 * not with the sessions.
 */
async function segments(db: Kysely<Tables>, accountId: number, { startMs, endMs }: SessionFilter): Promise<Segment[]> {
  if (startMs !== null && endMs !== null && dayOf(startMs) === dayOf(endMs)) {
    return [{ count: await countRange(db, accountId, startMs, endMs), fromMs: startMs }];
  }
  const head: Segment[] = [];
  const tail: Segment[] = [];
  let firstWholeDay: number | null = null;
  let lastWholeDay: number | null = null;
  if (startMs !== null) {
    const day = dayOf(startMs);
    if (startMs === day * DAY_MS) firstWholeDay = day;
    else {
      head.push({ count: await countRange(db, accountId, startMs, (day + 1) * DAY_MS - 1), fromMs: startMs });
      firstWholeDay = day + 1;
    }
  }
  if (endMs !== null) {
    const day = dayOf(endMs);
    if (endMs === (day + 1) * DAY_MS - 1) lastWholeDay = day;
    else {
      tail.push({ count: await countRange(db, accountId, day * DAY_MS, endMs), fromMs: day * DAY_MS });
      lastWholeDay = day - 1;
    }
  }
  const whole = await wholeDays(db, accountId, firstWholeDay, lastWholeDay);
  return [...head, ...whole.map((d) => ({ count: Number(d.sessions), fromMs: Number(d.day) * DAY_MS })), ...tail];
}

export interface SessionPageRows {
  rows: SessionViewRow[];
  total: number;
}

/** One page in (started_at, id) order, ascending or descending, and the number of sessions matching the filter. */
export async function selectSessionPage(db: Kysely<Tables>, accountId: number, page: SessionPageQuery): Promise<SessionPageRows> {
  const parts = await segments(db, accountId, page);
  const total = parts.reduce((sum, s) => sum + s.count, 0);
  if (page.offset >= total) return { rows: [], total };

  // A deep offset narrows the range to begin at the segment it falls in (its first instant in
  // ascending order, its last in descending), so the database skips at most a day's sessions.
  let fromMs = page.startMs;
  let toMs = page.endMs;
  let skip = page.offset;
  if (page.offset >= SEEK_FROM_OFFSET) {
    const walk = page.order === 'desc' ? [...parts].reverse() : parts;
    let before = 0;
    for (const part of walk) {
      if (before + part.count > page.offset) {
        if (page.order === 'desc') {
          const dayEnd = (dayOf(part.fromMs) + 1) * DAY_MS - 1;
          toMs = page.endMs === null ? dayEnd : Math.min(page.endMs, dayEnd);
        } else {
          fromMs = page.startMs === null ? part.fromMs : Math.max(page.startMs, part.fromMs);
        }
        skip = page.offset - before;
        break;
      }
      before += part.count;
    }
  }
  const bounds = boundsOf(fromMs, toMs);
  const query =
    page.order === 'desc'
      ? reusable(db, `sessions.pageDesc.${bounds}`, (p) =>
          inRange(db, bounds, p).select(SESSION_VIEW_COLUMNS).orderBy('started_at', 'desc').orderBy('id', 'desc').limit(p(3)).offset(p(4)),
        )
      : reusable(db, `sessions.page.${bounds}`, (p) =>
          inRange(db, bounds, p).select(SESSION_VIEW_COLUMNS).orderBy('started_at').orderBy('id').limit(p(3)).offset(p(4)),
        );
  const rows = await query.execute(db, accountId, fromMs, toMs, page.limit, skip);
  return { rows, total };
}

export async function selectSession(db: Kysely<Tables>, accountId: number, id: string): Promise<SessionViewRow | undefined> {
  const query = reusable(db, 'sessions.one', (p) =>
    db.selectFrom('sessions').select(SESSION_VIEW_COLUMNS).where('account_id', '=', p(0)).where('id', '=', p(1)),
  );
  const [row] = await query.execute(db, accountId, id);
  return row;
}
