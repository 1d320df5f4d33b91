import { createClient } from '@redis/client';
import type { RateCounterStore } from './rate-counter-store.js';
import { WINDOW_MS, type RateBucket } from './tier-limits.js';

/** Several processes sharing Redis (REDIS_URL): INCRBY on a key that expires with its window. */
export class RedisCounterStore implements RateCounterStore {
  readonly #client: ReturnType<typeof createClient>;
  readonly #prefix: string;
  #ready: Promise<unknown> | null = null;

  constructor(url: string, prefix: string, onError: (error: unknown) => void = () => {}) {
    this.#client = createClient({ url, disableOfflineQueue: true });
    this.#client.on('error', onError);
    this.#prefix = prefix;
  }

  async add(keyId: string, bucket: RateBucket, windowStart: number, amount: number): Promise<number> {
    await (this.#ready ??= this.#client.connect());
    const key = `${this.#prefix}:rate:${keyId}:${bucket}:${windowStart}`;
    const [used] = await this.#client.multi().incrBy(key, amount).pExpire(key, WINDOW_MS * 2).exec();
    return Math.max(0, Number(used));
  }

  async prune(): Promise<void> {
    // Keys expire by themselves.
  }

  async close(): Promise<void> {
    if (this.#client.isReady) await this.#client.close().catch(() => this.#client.destroy());
    else if (this.#client.isOpen) this.#client.destroy();
  }
}
