import type { Kysely } from 'kysely';
import type { Tables } from '../db/tables.js';
import { compareKeys, type SessionKey } from './session-cursor.js';
import type { SessionOrder } from './session-order.js';
import {
  countSessionsBefore,
  filterWindow,
  selectSessionWindowAndTotal,
  selectSessionWindowBeside,
  type KeyWindow,
  type SessionFilter,
} from './session-queries.js';
import type { SessionViewRow } from './session.js';

export interface CursorPageQuery extends SessionFilter {
  order: SessionOrder;
  /** `last`: the page ends at the window's end; else it starts at the window's start. */
  backward: boolean;
  size: number;
  /** Exclusive bounds of the window, in `order`. */
  after: SessionKey | null;
  before: SessionKey | null;
}

export interface CursorPageRows {
  rows: SessionViewRow[];
  total: number;
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  position: () => Promise<number>;
}

const higher = (a: SessionKey, b: SessionKey) => (compareKeys(a, b) >= 0 ? a : b);
const lower = (a: SessionKey, b: SessionKey) => (compareKeys(a, b) <= 0 ? a : b);

/**
 * A page by key (Relay's algorithm): the window is the filtered sessions after `after` and before
 * `before` in `order`; the page is its first `size` (or its last, `backward`). One seek reads
 * size + 1 rows (the extra one tells whether the window goes on) and the total; a probe of at most
 * one row, in the same statement, tells whether anything lies on the cursor's other side. Neither
 * depends on how deep the cursor is.
 *
 * hasNextPage and hasPreviousPage follow the Relay specification: paging forward, hasNextPage says
 * whether the window holds more, and hasPreviousPage whether any session matching the filters
 * lies at or before `after`; paging backward, the mirror image.
 */
export async function selectCursorPage(db: Kysely<Tables>, accountId: number, q: CursorPageQuery): Promise<CursorPageRows> {
  const asc = q.order === 'asc';
  const filter = filterWindow(q);
  // The window in key order: in descending order `after` bounds it from above.
  const [lowCursor, highCursor] = asc ? [q.after, q.before] : [q.before, q.after];
  const window: KeyWindow = {
    lower: lowCursor ? higher(filter.lower, lowCursor) : filter.lower,
    upper: highCursor ? lower(filter.upper, highCursor) : filter.upper,
  };
  const scan: SessionOrder = asc !== q.backward ? 'asc' : 'desc';
  // Anything at the cursor the page does not end at, or beyond it (in `order`), among the filtered sessions.
  const opposite = q.backward ? q.before : q.after;
  const { rows: read, total, beside: beyondOpposite } = opposite
    ? await selectSessionWindowBeside(db, accountId, window, scan, q.size + 1, q, { within: filter, key: opposite, side: asc !== q.backward ? 'atOrBelow' : 'atOrAbove' })
    : { ...(await selectSessionWindowAndTotal(db, accountId, window, scan, q.size + 1, q)), beside: false };
  const more = read.length > q.size;
  const inScanOrder = more ? read.slice(0, q.size) : read;
  const rows = q.backward ? inScanOrder.reverse() : inScanOrder;

  const hasPreviousPage = q.backward ? more : beyondOpposite;
  const hasNextPage = q.backward ? beyondOpposite : more;

  const first = rows[0];
  const position = async () => {
    if (first) return countSessionsBefore(db, accountId, q, { startedAt: Number(first.started_at), id: first.id }, q.order, false);
    // An empty page sits where the window starts: after `after`, or at the very start.
    return q.after ? countSessionsBefore(db, accountId, q, q.after, q.order, true) : 0;
  };
  return { rows, total, hasNextPage, hasPreviousPage, position };
}
