import type { RateCounterStore } from './rate-counter-store.js';
import type { RateVerdict } from './rate-limiter.js';
import { WINDOW_MS } from './tier-limits.js';

/** The start of the one-minute window (aligned to the minute) that `now` falls in. */
export function windowStartOf(now: number): number {
  return now - (now % WINDOW_MS);
}

/** The verdict on a count of `used` against `limit` in the window starting at `windowStart`. */
export function verdictOf(used: number, limit: number, windowStart: number, now: number): RateVerdict {
  return {
    allowed: used <= limit,
    limit,
    remaining: Math.max(0, limit - used),
    resetSeconds: Math.max(1, Math.ceil((windowStart + WINDOW_MS - now) / 1000)),
  };
}

/**
 * Forgets the windows before the current one, at most once a window per caller: every counter met (each key,
 * each client address) leaves one behind.
 */
export class WindowPruner {
  #lastPrune = 0;

  constructor(private readonly store: RateCounterStore) {}

  maybePrune(windowStart: number): void {
    if (windowStart - this.#lastPrune < WINDOW_MS) return;
    this.#lastPrune = windowStart;
    this.store.prune(windowStart - WINDOW_MS).catch(() => {});
  }
}
