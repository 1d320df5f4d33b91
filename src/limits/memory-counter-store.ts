import type { RateCounterStore } from './rate-counter-store.js';
import type { RateBucket } from './tier-limits.js';

/** One process alone (SQLite): counts in memory. */
export class MemoryCounterStore implements RateCounterStore {
  readonly #counts = new Map<string, { windowStart: number; used: number }>();

  async add(keyId: string, bucket: RateBucket, windowStart: number, amount: number): Promise<number> {
    const id = `${keyId}:${bucket}`;
    let entry = this.#counts.get(id);
    if (!entry || entry.windowStart !== windowStart) this.#counts.set(id, (entry = { windowStart, used: 0 }));
    entry.used += amount;
    return entry.used;
  }

  async giveBack(keyId: string, bucket: RateBucket, windowStart: number, amount: number): Promise<void> {
    const entry = this.#counts.get(`${keyId}:${bucket}`);
    if (entry && entry.windowStart === windowStart) entry.used = Math.max(0, entry.used - amount);
  }

  async prune(before: number): Promise<void> {
    for (const [id, entry] of this.#counts) if (entry.windowStart < before) this.#counts.delete(id);
  }

  async close(): Promise<void> {}
}
