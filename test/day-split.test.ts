import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { splitByDay, splitByUnit, type UnitSplit } from '../src/sessions/day-split.js';
import { dayEnd, dayOf, dayStart } from '../src/time/utc-days.js';
import { utcUnit } from '../src/time/utc-unit.js';

const DAY = 86_400_000;
const instant = fc.integer({ min: 0, max: 40 * DAY });
const bound = fc.option(instant, { nil: null });

/** Which parts of the split hold `t`. */
function partsHolding(split: UnitSplit, t: number, unitMs = DAY): string[] {
  const parts: string[] = [];
  if (split.head && t >= split.head[0] && t <= split.head[1]) parts.push('head');
  if (split.tail && t >= split.tail[0] && t <= split.tail[1]) parts.push('tail');
  const { whole } = split;
  const unit = Math.floor(t / unitMs);
  if (whole && (whole.first === null || unit >= whole.first) && (whole.last === null || unit <= whole.last)) parts.push('whole');
  return parts;
}

describe('splitByDay: a date filter cut into partial days and whole days', () => {
  it('puts every instant the filter holds in exactly one part, and no other instant in any', () => {
    fc.assert(
      fc.property(bound, bound, instant, (startMs, endMs, t) => {
        const inFilter = (startMs === null || t >= startMs) && (endMs === null || t <= endMs);
        expect(partsHolding(splitByDay(startMs, endMs), t)).toHaveLength(inFilter ? 1 : 0);
      }),
      { numRuns: 5_000 },
    );
  });

  it('leaves at most one day to each partial part, and whole days to the stored counts', () => {
    fc.assert(
      fc.property(bound, bound, (startMs, endMs) => {
        const { head, tail } = splitByDay(startMs, endMs);
        for (const range of [head, tail]) if (range) expect(dayOf(range[0])).toBe(dayOf(range[1]));
      }),
    );
  });

  it('needs no partial part when the filter runs from a day\'s first instant to its last', () => {
    expect(splitByDay(dayStart(3), dayEnd(5))).toEqual({ head: null, whole: { first: 3, last: 5 }, tail: null });
    expect(splitByDay(null, null)).toEqual({ head: null, whole: { first: null, last: null }, tail: null });
    expect(splitByDay(dayStart(3) + 1, dayStart(3))).toEqual({ head: null, whole: null, tail: null });
  });
});

describe('splitByUnit: the same cut at hours (the tools breakdown)', () => {
  const HOUR = 3_600_000;
  it('puts every instant the range holds in exactly one part, partial parts within one hour, and no other instant in any', () => {
    fc.assert(
      fc.property(instant, instant, instant, (a, b, t) => {
        const [startMs, endMs] = a <= b ? [a, b] : [b, a];
        const split = splitByUnit(startMs, endMs, utcUnit(HOUR));
        expect(partsHolding(split, t, HOUR)).toHaveLength(t >= startMs && t <= endMs ? 1 : 0);
        const { head, tail } = split;
        for (const range of [head, tail]) if (range) expect(Math.floor(range[0] / HOUR)).toBe(Math.floor(range[1] / HOUR));
      }),
      { numRuns: 5_000 },
    );
  });
});
