import type { Principal } from '../auth/principal.js';
import { apiError } from '../errors/api-error.js';
import type { RateCounterStore } from './rate-counter-store.js';
import { verdictOf, windowStartOf, WindowPruner } from './fixed-window.js';
import { TIER_LIMITS, WINDOW_MS, type RateBucket } from './tier-limits.js';

export interface RateVerdict {
  readonly allowed: boolean;
  readonly limit: number;
  readonly remaining: number;
  /** Seconds until the window resets (at least 1). */
  readonly resetSeconds: number;
}

/** RateLimit-* headers (IETF draft names) for a verdict; Retry-After too when refused. */
export function rateLimitHeaders(verdict: RateVerdict): Record<string, string> {
  return {
    'ratelimit-limit': String(verdict.limit),
    'ratelimit-remaining': String(verdict.remaining),
    'ratelimit-reset': String(verdict.resetSeconds),
    'ratelimit-policy': `${verdict.limit};w=${WINDOW_MS / 1000}`,
    ...(verdict.allowed ? {} : { 'retry-after': String(verdict.resetSeconds) }),
  };
}

export function rateLimited(verdict: RateVerdict) {
  return apiError('RATE_LIMITED', `Rate limit exceeded. Retry after ${verdict.resetSeconds} seconds.`, undefined, rateLimitHeaders(verdict));
}

/**
 * Fixed one-minute windows per key, limits by tier (docs/api.md#rate-limits): requests for every authenticated call,
 * events for ingestion. A key of tier `unlimited` costs nothing.
 */
export class RateLimiter {
  readonly #store: RateCounterStore;
  readonly #now: () => number;
  readonly #onRefused: ((bucket: RateBucket) => void) | undefined;
  readonly #pruner: WindowPruner;

  /** `onRefused` is told of each refusal (metrics). */
  constructor(store: RateCounterStore, now: () => number = Date.now, onRefused?: (bucket: RateBucket) => void) {
    this.#store = store;
    this.#now = now;
    this.#onRefused = onRefused;
    this.#pruner = new WindowPruner(store);
  }

  /** Counts one request; null when the key's tier has no request limit. */
  async request(principal: Principal): Promise<RateVerdict | null> {
    return (await this.#take(principal, 'requests', 1, false))?.verdict ?? null;
  }

  /**
   * Takes `count` events, runs `store` and returns what it returns. Over the limit it throws RATE_LIMITED
   * and `store` never runs. When `store` throws, nothing was stored: the events are given back to the
   * window they were taken from, and the error goes on.
   */
  async events<T>(principal: Principal, count: number, store: () => Promise<T>): Promise<T> {
    const taken = await this.#take(principal, 'events', count, true);
    if (taken && !taken.verdict.allowed) throw rateLimited(taken.verdict);
    try {
      return await store();
    } catch (error) {
      // A failed give-back (the counter store down too) leaves the charge to lapse with its window; the
      // caller must hear of the store's failure, not of that.
      if (taken) await this.#store.giveBack(principal.keyId, 'events', taken.windowStart, count).catch(() => {});
      throw error;
    }
  }

  async #take(principal: Principal, bucket: RateBucket, amount: number, giveBack: boolean): Promise<{ verdict: RateVerdict; windowStart: number } | null> {
    const limit = TIER_LIMITS[principal.tier][bucket];
    if (limit === null || amount <= 0) return null;
    const now = this.#now();
    const windowStart = windowStartOf(now);
    const used = await this.#store.add(principal.keyId, bucket, windowStart, amount);
    const allowed = used <= limit;
    if (!allowed) this.#onRefused?.(bucket);
    // A refused charge that is given back leaves the window as it was: remaining counts without it.
    const given = !allowed && giveBack;
    if (given) await this.#store.giveBack(principal.keyId, bucket, windowStart, amount);
    this.#pruner.maybePrune(windowStart);
    const verdict = { ...verdictOf(given ? used - amount : used, limit, windowStart, now), allowed };
    return { verdict, windowStart };
  }

  close(): Promise<void> {
    return this.#store.close();
  }
}
