// A live subscriber's bypass (src/live/live-subscriber.ts): while its pipeline waits idle, an update may be written
// around it (at once, later, or handed back to the pipeline after all). Whatever the interleaving of updates,
// bypass outcomes and pipeline reads, a session's states must reach the client in order and its last state must
// reach it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Principal } from '../src/auth/principal.js';
import { LiveSubscriber } from '../src/live/live-subscriber.js';
import { TEST_ENGINE } from './support/test-database.js';
import type { Session } from '../src/sessions/session.js';

const PRINCIPAL: Principal = { keyId: 'k', keyPrefix: 'ct_live_k', accountId: 1, accountSlug: 'acme', scopes: new Set(['read:analytics']), tier: 'standard' };

type Outcome = 'decline' | 'at-once' | 'later' | 'later-handed-back';
type Step = { push: number } | { settle: true } | { turn: true };

interface State {
  readonly id: string;
  readonly version: number;
}

const stateOf = (session: Session) => session as unknown as State;
const ticks = async (n = 3) => {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
};

async function run(steps: readonly Step[], outcomes: readonly Outcome[]) {
  const subscriber = new LiveSubscriber(PRINCIPAL, null, 1_000, () => {});
  const delivered: (State & { via: 'bypass' | 'pipeline' })[] = [];
  const pushed = new Map<string, number>();
  let outcome = 0;
  let waiting: { session: Session; finish: (handBack: Session | null) => void; back: boolean } | null = null;
  subscriber.bypass = (session, finish) => {
    expect(waiting, 'a bypass while another is unfinished').toBeNull();
    const chosen = outcomes[outcome++ % outcomes.length]!;
    if (chosen === 'decline') return false;
    if (chosen === 'at-once') {
      delivered.push({ ...stateOf(session), via: 'bypass' });
      finish(null);
      return true;
    }
    waiting = { session, finish, back: chosen === 'later-handed-back' };
    return true;
  };
  const settle = () => {
    const w = waiting;
    if (!w) return;
    waiting = null;
    if (!w.back) delivered.push({ ...stateOf(w.session), via: 'bypass' });
    w.finish(w.back ? w.session : null);
  };
  const reader = (async () => {
    for (;;) {
      const step = await subscriber.next();
      if (step.done) return;
      delivered.push({ ...stateOf(step.value as Session), via: 'pipeline' });
    }
  })();

  let version = 0;
  for (const step of steps) {
    if ('push' in step) {
      const id = `s${step.push}`;
      pushed.set(id, ++version);
      subscriber.push({ id, version } as unknown as Session, () => {
        throw new Error('the queue limit is not reached here');
      });
    } else if ('settle' in step) {
      settle();
    } else {
      await ticks(1);
    }
  }
  // Whatever is unfinished finishes, then the pipeline reads what is left.
  settle();
  await ticks();
  while (waiting) {
    settle();
    await ticks();
  }
  await subscriber.return();
  await reader;
  return { delivered, pushed };
}

// Pure logic, no database: one engine's run is enough.
describe.runIf(TEST_ENGINE === 'sqlite')('a live subscriber written around its pipeline', () => {
  it('delivers each session in order, its last state last, whatever the bypass does and when', async () => {
    const step = fc.oneof(
      { arbitrary: fc.record({ push: fc.integer({ min: 1, max: 4 }) }), weight: 5 },
      { arbitrary: fc.constant({ settle: true as const }), weight: 2 },
      { arbitrary: fc.constant({ turn: true as const }), weight: 2 },
    );
    const outcome = fc.constantFrom<Outcome>('decline', 'at-once', 'later', 'later-handed-back');
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 60 }), fc.array(outcome, { minLength: 1, maxLength: 8 }), async (steps, outcomes) => {
        const { delivered, pushed } = await run(steps, outcomes);
        const last = new Map<string, number>();
        for (const { id, version } of delivered) {
          expect(version, `${id} went back from ${last.get(id)} to ${version}`).toBeGreaterThan(last.get(id) ?? 0);
          last.set(id, version);
        }
        expect(last).toEqual(pushed);
      }),
      { numRuns: 300 },
    );
  });

  it('takes updates around an idle pipeline only: the pipeline reads what queued while it was busy', async () => {
    const subscriber = new LiveSubscriber(PRINCIPAL, null, 10, () => {});
    const around: string[] = [];
    subscriber.bypass = (session, finish) => {
      around.push(session.id);
      finish(null);
      return true;
    };
    const session = (id: string) => ({ id }) as unknown as Session;
    const never = () => {
      throw new Error('not slow');
    };
    // Nobody reads yet: the update queues for the pipeline.
    subscriber.push(session('a'), never);
    expect(around).toEqual([]);
    expect((await subscriber.next()).value).toMatchObject({ id: 'a' });
    // The pipeline waits now: the next update goes around it and the pipeline keeps waiting.
    const next = subscriber.next();
    subscriber.push(session('b'), never);
    expect(around).toEqual(['b']);
    subscriber.push(session('c'), never);
    expect(around).toEqual(['b', 'c']);
    subscriber.end();
    expect(await next).toEqual({ value: undefined, done: true });
    // Ended: nothing more goes anywhere.
    expect(subscriber.push(session('d'), never)).toBe(false);
    expect(around).toEqual(['b', 'c']);
  });
});
