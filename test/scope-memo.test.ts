import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RangeMemo } from '../src/graphql/range-memo.js';
import { ScopeMemo } from '../src/graphql/scope-memo.js';

describe('ScopeMemo', () => {
  it('creates one value per scope, on first use, whatever the order scopes are asked in', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 7 }), { minLength: 1, maxLength: 60 }), fc.boolean(), (order, frozen) => {
        const memo = new ScopeMemo<{ scope: number }>('test');
        const scopes = Array.from({ length: 8 }, (_, i) => (frozen && i % 2 === 0 ? Object.freeze({ i }) : { i }));
        const created: number[] = [];
        const first = new Map<number, { scope: number }>();
        for (const i of order) {
          const value = memo.get(scopes[i]!, () => {
            created.push(i);
            return { scope: i };
          });
          expect(value.scope).toBe(i);
          if (!first.has(i)) first.set(i, value);
          expect(value).toBe(first.get(i));
        }
        expect(created).toEqual([...new Set(order)]);
      }),
    );
  });

  it('is invisible to spreads, keys and JSON of the scope', () => {
    const scope = { a: 1 };
    new ScopeMemo<number[]>('test').get(scope, () => [1, 2, 3]);
    expect(Object.keys(scope)).toEqual(['a']);
    expect({ ...scope }).toEqual({ a: 1 });
    expect(Object.getOwnPropertySymbols({ ...scope })).toEqual([]);
    expect(JSON.stringify(scope)).toBe('{"a":1}');
  });

  it('keeps the values of two memos apart on one scope', () => {
    const scope = {};
    const a = new ScopeMemo<string>('a');
    const b = new ScopeMemo<string>('b');
    expect(a.get(scope, () => 'first')).toBe('first');
    expect(b.get(scope, () => 'second')).toBe('second');
    expect(a.get(scope, () => 'again')).toBe('first');
  });
});

describe('RangeMemo', () => {
  it('reads once per scope and range, whatever the order ranges and scopes are asked in', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat({ max: 2 }), fc.nat({ max: 3 }), fc.nat({ max: 3 })), { minLength: 1, maxLength: 50 }), (asks) => {
        const memo = new RangeMemo<string>('test');
        const scopes = [{}, {}, Object.freeze({})];
        const reads = new Map<string, number>();
        for (const [scope, start, end] of asks) {
          const id = `${scope}/${start}:${end}`;
          const value = memo.get(scopes[scope]!, { startMs: start, endMs: end }, () => {
            reads.set(id, (reads.get(id) ?? 0) + 1);
            return id;
          });
          expect(value).toBe(id);
        }
        expect([...reads.values()].every((n) => n === 1)).toBe(true);
        expect(reads.size).toBe(new Set(asks.map(([s, a, b]) => `${s}/${a}:${b}`)).size);
      }),
    );
  });
});
