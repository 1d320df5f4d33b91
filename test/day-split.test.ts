import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { splitByDay, splitByUnit, type DaySplit } from '../src/sessions/day-split.js';
import { dayEnd, dayOf, dayStart } from '../src/time/utc-days.js';

const DAY = 86_400_000;
const instant = fc.integer({ min: 0, max: 40 * DAY });
const bound = fc.option(instant, { nil: null });

/** Which parts of the split hold `t`. */
function partsHolding(split: DaySplit, t: number): string[] {
  const parts: string[] = [];
  if (split.head && t >= split.head[0] && t <= split.head[1]) parts.push('head');
  if (split.tail && t >= split.tail[0] && t <= split.tail[1]) parts.push('tail');
  const { days } = split;
  if (days && (days.first === null || dayOf(t) >= days.first) && (days.last === null || dayOf(t) <= days.last)) parts.push('days');
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
    expect(splitByDay(dayStart(3), dayEnd(5))).toEqual({ head: null, days: { first: 3, last: 5 }, tail: null });
    expect(splitByDay(null, null)).toEqual({ head: null, days: { first: null, last: null }, tail: null });
    expect(splitByDay(dayStart(3) + 1, dayStart(3))).toEqual({ head: null, days: null, tail: null });
  });
});

describe('splitByUnit: the same cut at hours (the tools breakdown)', () => {
  const HOUR = 3_600_000;
  it('puts every instant the range holds in exactly one part, partial parts within one hour, and no other instant in any', () => {
    fc.assert(
      fc.property(instant, instant, instant, (a, b, t) => {
        const [startMs, endMs] = a <= b ? [a, b] : [b, a];
        const { head, whole, tail } = splitByUnit(startMs, endMs, HOUR);
        const parts = [head, tail].filter((r) => r !== null && t >= r[0] && t <= r[1]).length +
          (whole && whole.first !== null && whole.last !== null && Math.floor(t / HOUR) >= whole.first && Math.floor(t / HOUR) <= whole.last ? 1 : 0);
        expect(parts).toBe(t >= startMs && t <= endMs ? 1 : 0);
        for (const range of [head, tail]) if (range) expect(Math.floor(range[0] / HOUR)).toBe(Math.floor(range[1] / HOUR));
      }),
      { numRuns: 5_000 },
    );
  });
});
