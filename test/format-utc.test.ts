import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatUtc } from '../src/time/iso-time.js';

/** The output format as Date writes it: the reference the arithmetic must match. */
function byDate(ms: number): string {
  const iso = new Date(ms).toISOString();
  return iso.endsWith('.000Z') ? `${iso.slice(0, -5)}Z` : iso;
}

const MIN = -62_167_219_200_000; // 0000-01-01T00:00:00Z
const MAX = 253_402_300_799_999; // 9999-12-31T23:59:59.999Z

describe('formatUtc', () => {
  it('writes every instant from year 0000 to 9999 as Date does', () => {
    fc.assert(fc.property(fc.integer({ min: MIN, max: MAX }), (ms) => {
      expect(formatUtc(ms)).toBe(byDate(ms));
    }), { numRuns: 20_000 });
  });

  it('is exact at the edges: the first and last instants, leap days, the turn of each century', () => {
    const edges = [MIN, MAX, 0, -1, 1, Date.UTC(2000, 1, 29, 23, 59, 59, 999), Date.UTC(1900, 2, 1), Date.UTC(2100, 1, 28, 12), Date.UTC(1600, 1, 29)];
    for (const ms of edges) expect(formatUtc(ms)).toBe(byDate(ms));
    expect(formatUtc(MIN)).toBe('0000-01-01T00:00:00Z');
    expect(formatUtc(MAX)).toBe('9999-12-31T23:59:59.999Z');
    expect(formatUtc(Date.UTC(2024, 0, 15, 10, 30))).toBe('2024-01-15T10:30:00Z');
    expect(formatUtc(Date.UTC(2024, 0, 15, 10, 30, 0, 7))).toBe('2024-01-15T10:30:00.007Z');
  });

  it('leaves what it cannot write in four digits, or a fraction of a millisecond, to Date', () => {
    for (const ms of [MIN - 1, MAX + 1, 1.5, -1.5]) expect(formatUtc(ms)).toBe(byDate(ms));
  });
});
