import { UTC_DAY } from '../time/utc-days.js';
import type { UtcUnit } from '../time/utc-unit.js';

/** An inclusive range of started_at. */
export type MsRange = readonly [from: number, to: number];

/**
 * A filter cut at the boundaries of a time unit (a UTC day, an hour): a partial first unit and a partial last unit,
 * each read row by row, and the whole units between them, whose sums are stored. `whole` null: no whole unit;
 * a bound null: open on that side.
 */
export interface UnitSplit {
  head: MsRange | null;
  whole: { first: number | null; last: number | null } | null;
  tail: MsRange | null;
}

const NOTHING: UnitSplit = { head: null, whole: null, tail: null };

export function splitByUnit(startMs: number | null, endMs: number | null, unit: UtcUnit): UnitSplit {
  if (startMs !== null && endMs !== null) {
    if (startMs > endMs) return NOTHING;
    if (unit.of(startMs) === unit.of(endMs)) return { head: [startMs, endMs], whole: null, tail: null };
  }
  let head: MsRange | null = null;
  let tail: MsRange | null = null;
  let first: number | null = null;
  let last: number | null = null;
  if (startMs !== null) {
    first = unit.of(startMs);
    if (startMs !== unit.start(first)) {
      head = [startMs, unit.end(first)];
      first += 1;
    }
  }
  if (endMs !== null) {
    last = unit.of(endMs);
    if (endMs !== unit.end(last)) {
      tail = [unit.start(last), endMs];
      last -= 1;
    }
  }
  return { head, whole: { first, last }, tail };
}

/** The cut at UTC days, as `session_days` counts them. */
export function splitByDay(startMs: number | null, endMs: number | null): UnitSplit {
  return splitByUnit(startMs, endMs, UTC_DAY);
}
