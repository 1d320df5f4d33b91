// A live stream's writes are corked until the turn of the event loop ends (src/http/cork-until-turn-ends.ts), and
// kept corked past it while an answer is still being computed (holdCorkedWrites), at most MAX_HOLD_MS.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { corkUntilTurnEnds, holdCorkedWrites, MAX_HOLD_MS, type Corkable } from '../src/http/cork-until-turn-ends.js';

/** A wire that records when it was corked and uncorked, in turns counted by the test. */
class Wire implements Corkable {
  readonly log: string[] = [];
  depth = 0;
  cork(): void {
    this.depth++;
    this.log.push('cork');
  }
  uncork(): void {
    this.depth--;
    this.log.push('uncork');
  }
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe('corkUntilTurnEnds', () => {
  it('corks a wire once per turn, however many writes, and uncorks it when the turn ends', async () => {
    const wire = new Wire();
    corkUntilTurnEnds(wire);
    corkUntilTurnEnds(wire);
    expect(wire.log).toEqual(['cork']);
    await nextTurn();
    expect(wire.log).toEqual(['cork', 'uncork']);
    corkUntilTurnEnds(wire);
    await nextTurn();
    expect(wire.log).toEqual(['cork', 'uncork', 'cork', 'uncork']);
  });

  it('keeps a wire corked past its turn while a hold is on, and uncorks it once after the release', async () => {
    const wire = new Wire();
    const release = holdCorkedWrites();
    corkUntilTurnEnds(wire);
    await nextTurn();
    await nextTurn();
    // A write of a later turn joins the held ones: no second cork.
    corkUntilTurnEnds(wire);
    await nextTurn();
    expect(wire.log).toEqual(['cork']);
    release();
    release(); // a second call changes nothing
    await nextTurn();
    await nextTurn();
    expect(wire.log).toEqual(['cork', 'uncork']);
  });

  it('uncorks only when the last of several holds is released', async () => {
    const wire = new Wire();
    const first = holdCorkedWrites();
    const second = holdCorkedWrites();
    corkUntilTurnEnds(wire);
    await nextTurn();
    first();
    first();
    await nextTurn();
    await nextTurn();
    expect(wire.depth).toBe(1);
    second();
    await nextTurn();
    await nextTurn();
    expect(wire.log).toEqual(['cork', 'uncork']);
  });

  it(`never keeps a wire corked much past ${MAX_HOLD_MS} ms, even when a hold is never released`, async () => {
    const wire = new Wire();
    const release = holdCorkedWrites();
    try {
      corkUntilTurnEnds(wire);
      await nextTurn();
      expect(wire.depth).toBe(1);
      await sleep(MAX_HOLD_MS + 50);
      expect(wire.log).toEqual(['cork', 'uncork']);
    } finally {
      release();
    }
    await nextTurn();
  });

  it('uncorks every corked wire exactly once per cork, whatever the order of writes, holds and releases', async () => {
    type Step = { kind: 'write'; wire: number } | { kind: 'hold' } | { kind: 'release'; which: number } | { kind: 'turn' };
    const step: fc.Arbitrary<Step> = fc.oneof(
      fc.record({ kind: fc.constant('write' as const), wire: fc.nat({ max: 3 }) }),
      fc.constant({ kind: 'hold' as const }),
      fc.record({ kind: fc.constant('release' as const), which: fc.nat({ max: 5 }) }),
      fc.constant({ kind: 'turn' as const }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 40 }), async (steps) => {
        const wires = Array.from({ length: 4 }, () => new Wire());
        const releases: (() => void)[] = [];
        for (const s of steps) {
          if (s.kind === 'write') corkUntilTurnEnds(wires[s.wire]!);
          else if (s.kind === 'hold') releases.push(holdCorkedWrites());
          else if (s.kind === 'release') releases[s.which % Math.max(releases.length, 1)]?.();
          else await nextTurn();
          // Never uncorked more often than corked, never corked twice without an uncork between.
          for (const w of wires) expect([0, 1]).toContain(w.depth);
        }
        for (const release of releases) release();
        await nextTurn();
        await nextTurn();
        for (const w of wires) {
          expect(w.depth).toBe(0);
          expect(w.log.filter((e) => e === 'cork')).toHaveLength(w.log.filter((e) => e === 'uncork').length);
        }
      }),
      { numRuns: 100 },
    );
  });
});
