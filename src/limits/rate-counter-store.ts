import type { RateBucket } from './tier-limits.js';

/**
 * Where a key's use in the current window is counted. `add` is atomic: it returns the total after
 * adding, as every process sharing the store sees it. A negative amount gives back what was taken.
 */
export interface RateCounterStore {
  add(keyId: string, bucket: RateBucket, windowStart: number, amount: number): Promise<number>;
  /** Forgets windows that ended before `before`. */
  prune(before: number): Promise<void>;
  close(): Promise<void>;
}
