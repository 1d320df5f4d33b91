import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJsonWithin } from '../src/ingest/canonical-json.js';

/** The reference spelling: a copy with keys inserted sorted, written by JSON.stringify. Stored data and dedup keys use it. */
function sortedCopy(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedCopy);
  if (value !== null && typeof value === 'object') {
    const sorted: Record<string, unknown> = Object.create(null);
    for (const key of Object.keys(value).sort()) sorted[key] = sortedCopy((value as Record<string, unknown>)[key]);
    return sorted;
  }
  return value;
}

function deeperThan(value: unknown, max: number, depth = 1): boolean {
  if (value === null || typeof value !== 'object') return false;
  return depth > max || Object.values(value).some((child) => deeperThan(child, max, depth + 1));
}

function reference(value: object, max: number): string | null {
  return deeperThan(value, max) ? null : JSON.stringify(sortedCopy(value));
}

/** Keys that order in surprising ways: array indices (enumerated first, numerically), near misses, __proto__, toJSON. */
const key = fc.oneof(
  fc.string({ maxLength: 4 }),
  fc.constantFrom('0', '1', '9', '10', '007', '-1', '1.5', '4294967294', '4294967295', '99999999999', '__proto__', 'toJSON', 'constructor', 'é', '😀', '\ud800'),
);

const value = fc.letrec((tie) => ({
  any: fc.oneof(
    { depthSize: 'small' },
    fc.string({ maxLength: 6 }),
    fc.double(),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.constant(undefined),
    fc.constant(new Date(0)),
    fc.array(tie('any'), { maxLength: 4 }),
    fc.dictionary(key, tie('any'), { maxKeys: 5 }),
    // What JSON.parse makes: __proto__ as an own key, in insertion order.
    fc.dictionary(key, tie('any'), { maxKeys: 5 }).map((d) => JSON.parse(JSON.stringify(d, (_, v: unknown) => (v instanceof Date ? v.toISOString() : v))) as unknown),
  ),
})).any;

/** What validation hands it: an object (an event's data), or for good measure an array or a Date. */
const top = fc.oneof(fc.dictionary(key, value, { maxKeys: 6 }), fc.array(value, { maxLength: 4 }), value.filter((v): v is object => v !== null && typeof v === 'object'));

describe('canonicalJsonWithin', () => {
  it('spells any value as JSON.stringify spells a copy with its keys sorted, and refuses exactly what nests too deep', () => {
    fc.assert(fc.property(top, fc.integer({ min: 1, max: 6 }), (v, max) => {
      expect(canonicalJsonWithin(v, max)).toBe(reference(v, max));
    }), { numRuns: 20_000 });
  });

  it('writes array indices first in numeric order, other keys sorted, and keeps __proto__ an ordinary key', () => {
    const data = JSON.parse('{"b":1,"10":2,"a":{"__proto__":{"x":1},"9":3},"2":[{"z":1,"y":2}],"007":4}') as object;
    expect(canonicalJsonWithin(data, 100)).toBe('{"2":[{"y":2,"z":1}],"10":2,"007":4,"a":{"9":3,"__proto__":{"x":1}},"b":1}');
  });

  it('stops at the first level past the limit, however deep the value goes', () => {
    let deep: object = {};
    for (let i = 0; i < 100_000; i++) deep = { d: deep };
    expect(canonicalJsonWithin(deep, 100)).toBeNull();
    expect(canonicalJsonWithin({ a: [[{}]] }, 4)).toBe('{"a":[[{}]]}');
    expect(canonicalJsonWithin({ a: [[{}]] }, 3)).toBeNull();
  });
});
