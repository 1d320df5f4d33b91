import { createClient } from '@redis/client';
import type { RateCounterStore } from './rate-counter-store.js';
import { WINDOW_MS, type RateBucket } from './tier-limits.js';

/**
 * Subtracts ARGV[1] from the counter KEYS[1] in one step, stopping at zero; an expired (absent) counter stays
 * absent. INCRBY and DECRBY keep the key's expiry.
 */
const GIVE_BACK = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local used = redis.call('DECRBY', KEYS[1], ARGV[1])
if used < 0 then redis.call('INCRBY', KEYS[1], -used) end
return 0`;

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
    await this.#connected();
    const key = this.#key(keyId, bucket, windowStart);
    const [used] = await this.#client.multi().incrBy(key, amount).pExpire(key, WINDOW_MS * 2).exec();
    return Number(used);
  }

  async giveBack(keyId: string, bucket: RateBucket, windowStart: number, amount: number): Promise<void> {
    await this.#connected();
    await this.#client.eval(GIVE_BACK, { keys: [this.#key(keyId, bucket, windowStart)], arguments: [String(amount)] });
  }

  #connected(): Promise<unknown> {
    return (this.#ready ??= this.#client.connect());
  }

  #key(keyId: string, bucket: RateBucket, windowStart: number): string {
    return `${this.#prefix}:rate:${keyId}:${bucket}:${windowStart}`;
  }

  async prune(): Promise<void> {
    // Keys expire by themselves.
  }

  async close(): Promise<void> {
    if (this.#client.isReady) await this.#client.close().catch(() => this.#client.destroy());
    else if (this.#client.isOpen) this.#client.destroy();
  }
}
