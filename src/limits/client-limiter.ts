import { verdictOf, windowStartOf, WindowPruner } from './fixed-window.js';
import type { RateCounterStore } from './rate-counter-store.js';
import type { RateVerdict } from './rate-limiter.js';

/** Counters of clients are kept beside the keys' in the same store; no key id starts like this. */
const CLIENT_PREFIX = 'client:';

/**
 * Requests without a valid key (anonymous GraphQL, refused keys, the API description), per client address
 * and fixed one-minute window: in memory, or in Redis when the gateway has one (shared by its processes).
 */
export class ClientLimiter {
  readonly #store: RateCounterStore;
  readonly #perMinute: number;
  readonly #now: () => number;
  // Each address met leaves a counter behind: old windows are forgotten here too, even when no key is ever used.
  readonly #pruner: WindowPruner;

  constructor(store: RateCounterStore, perMinute: number, now: () => number) {
    this.#store = store;
    this.#perMinute = perMinute;
    this.#now = now;
    this.#pruner = new WindowPruner(store);
  }

  /** Counts one request of `client`. */
  async request(client: string): Promise<RateVerdict> {
    const now = this.#now();
    const windowStart = windowStartOf(now);
    const used = await this.#store.add(`${CLIENT_PREFIX}${client}`, 'requests', windowStart, 1);
    this.#pruner.maybePrune(windowStart);
    return verdictOf(used, this.#perMinute, windowStart, now);
  }
}
