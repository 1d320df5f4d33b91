import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { memoizeHeader } from '../src/http/header-memo.js';

const read = (value: string) => `${value.length}:${value.toUpperCase()}`;
/** Few distinct short values (so they repeat), sometimes more than the memo keeps, and some past its length bound. */
const value = fc.oneof(
  fc.constantFrom('gzip, deflate, br', 'application/json', '*/*', 'br;q=0, gzip', ''),
  fc.integer({ min: 0, max: 200 }).map((n) => `v${n}`),
  fc.integer({ min: 250, max: 400 }).map((n) => 'x'.repeat(n)),
);

describe('memoizeHeader', () => {
  it('answers what the reading it wraps answers, in any order of values', () => {
    fc.assert(fc.property(fc.array(value, { maxLength: 400 }), (values) => {
      const memo = memoizeHeader(read);
      for (const v of values) expect(memo(v)).toBe(read(v));
    }));
  });

  it('reads a short value once while it is kept, and a long one every time', () => {
    const seen: string[] = [];
    const memo = memoizeHeader((v: string) => seen.push(v));
    memo('gzip');
    memo('gzip');
    const long = 'x'.repeat(257);
    memo(long);
    memo(long);
    expect(seen).toEqual(['gzip', long, long]);
  });

  it('keeps at most 64 values: the 65th drops them all', () => {
    let reads = 0;
    const memo = memoizeHeader(() => ++reads);
    for (let i = 0; i < 64; i++) memo(`v${i}`);
    memo('v0');
    expect(reads).toBe(64);
    memo('v64');
    memo('v0');
    expect(reads).toBe(66);
  });
});
