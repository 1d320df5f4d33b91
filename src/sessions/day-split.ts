import { dayEnd, dayOf, dayStart } from '../time/utc-days.js';

/** An inclusive range of started_at. */
export type MsRange = readonly [from: number, to: number];

/**
 * A date filter cut where `session_days` can answer for it: a partial first day and a partial last day,
 * each counted over the index (at most a day's sessions), and the whole days between them, whose
 * counts are stored. `days` null: no whole day; a bound null: open on that side.
 */
export interface DaySplit {
  head: MsRange | null;
  days: { first: number | null; last: number | null } | null;
  tail: MsRange | null;
}

const NOTHING: DaySplit = { head: null, days: null, tail: null };

export function splitByDay(startMs: number | null, endMs: number | null): DaySplit {
  if (startMs !== null && endMs !== null) {
    if (startMs > endMs) return NOTHING;
    if (dayOf(startMs) === dayOf(endMs)) return { head: [startMs, endMs], days: null, tail: null };
  }
  let head: MsRange | null = null;
  let tail: MsRange | null = null;
  let first: number | null = null;
  let last: number | null = null;
  if (startMs !== null) {
    first = dayOf(startMs);
    if (startMs !== dayStart(first)) {
      head = [startMs, dayEnd(first)];
      first += 1;
    }
  }
  if (endMs !== null) {
    last = dayOf(endMs);
    if (endMs !== dayEnd(last)) {
      tail = [dayStart(last), endMs];
      last -= 1;
    }
  }
  return { head, days: { first, last }, tail };
}
