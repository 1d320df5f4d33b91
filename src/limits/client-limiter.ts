import type { RateCounterStore } from './rate-counter-store.js';
import type { RateVerdict } from './rate-limiter.js';
import { WINDOW_MS } from './tier-limits.js';

/** Counters of clients are kept beside the keys' in the same store; no key id starts like this. */
const CLIENT_PREFIX = 'client:';

/**
 * Requests without a valid key (anonymous GraphQL, refused keys, the API description), per client address
 * and fixed one-minute window, in the store the key limits use: one process counts in memory, several share
 * PostgreSQL or Redis.
 */
export class ClientLimiter {
  readonly #store: RateCounterStore;
  readonly #perMinute: number;
  readonly #now: () => number;
  #lastPrune = 0;

  constructor(store: RateCounterStore, perMinute: number, now: () => number) {
    this.#store = store;
    this.#perMinute = perMinute;
    this.#now = now;
  }

  /** Counts one request of `client`. */
  async request(client: string): Promise<RateVerdict> {
    const now = this.#now();
    const windowStart = now - (now % WINDOW_MS);
    const used = await this.#store.add(`${CLIENT_PREFIX}${client}`, 'requests', windowStart, 1);
    // Each address met leaves a counter behind: forget the old windows even when no key is ever used.
    if (windowStart - this.#lastPrune >= WINDOW_MS) {
      this.#lastPrune = windowStart;
      this.#store.prune(windowStart - WINDOW_MS).catch(() => {});
    }
    return {
      allowed: used <= this.#perMinute,
      limit: this.#perMinute,
      remaining: Math.max(0, this.#perMinute - used),
      resetSeconds: Math.max(1, Math.ceil((windowStart + WINDOW_MS - now) / 1000)),
    };
  }
}
