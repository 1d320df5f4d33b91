import type { RateBucket } from './tier-limits.js';

/**
 * Where a key's use in the current window is counted. `add` is atomic: it returns the total after
 * adding, as every process sharing the store sees it.
 */
export interface RateCounterStore {
  add(keyId: string, bucket: RateBucket, windowStart: number, amount: number): Promise<number>;
  /**
   * Gives back `amount` taken from the window that starts at `windowStart`, atomically: the count never
   * goes below zero, and a window the store no longer holds is left absent.
   */
  giveBack(keyId: string, bucket: RateBucket, windowStart: number, amount: number): Promise<void>;
  /** Forgets windows that ended before `before`. */
  prune(before: number): Promise<void>;
  close(): Promise<void>;
}
