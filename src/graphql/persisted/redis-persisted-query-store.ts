import { createClient } from '@redis/client';
import type { PersistedQueryBounds, PersistedQueryStore } from './persisted-query-store.js';

/**
 * Stores ARGV[3] under ARGV[1]..ARGV[2] for ARGV[4] ms and notes it in the index KEYS[1] (hash by time stored), then
 * drops what the index holds past the TTL or beyond ARGV[6] documents, oldest first: in one step, so processes
 * storing at once cannot overshoot the count.
 */
const STORE = `
local documentKey = ARGV[1] .. ARGV[2]
local now = tonumber(ARGV[5])
local ttl = tonumber(ARGV[4])
redis.call('SET', documentKey, ARGV[3], 'PX', ttl)
redis.call('ZADD', KEYS[1], now, ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - ttl)
local over = redis.call('ZCARD', KEYS[1]) - tonumber(ARGV[6])
if over > 0 then
  for _, hash in ipairs(redis.call('ZRANGE', KEYS[1], 0, over - 1)) do redis.call('DEL', ARGV[1] .. hash) end
  redis.call('ZREMRANGEBYRANK', KEYS[1], 0, over - 1)
end
redis.call('PEXPIRE', KEYS[1], ttl)
return 0`;

/** Several processes sharing Redis (REDIS_URL): a key per document that expires with its TTL, and an index to cap the count. */
export class RedisPersistedQueryStore implements PersistedQueryStore {
  readonly #client: ReturnType<typeof createClient>;
  readonly #prefix: string;
  readonly #bounds: PersistedQueryBounds;
  readonly #now: () => number;
  #ready: Promise<unknown> | null = null;

  constructor(url: string, prefix: string, bounds: PersistedQueryBounds, now: () => number, onError: (error: unknown) => void = () => {}) {
    this.#client = createClient({ url, disableOfflineQueue: true });
    this.#client.on('error', onError);
    this.#prefix = `${prefix}:apq`;
    this.#bounds = bounds;
    this.#now = now;
  }

  async get(hash: string): Promise<string | null> {
    await this.#connected();
    return this.#client.get(`${this.#prefix}:doc:${hash}`);
  }

  async set(hash: string, document: string): Promise<void> {
    if (this.#bounds.maxDocuments === 0) return;
    await this.#connected();
    const { ttlMs, maxDocuments } = this.#bounds;
    await this.#client.eval(STORE, {
      keys: [`${this.#prefix}:index`],
      arguments: [`${this.#prefix}:doc:`, hash, document, String(ttlMs), String(this.#now()), String(maxDocuments)],
    });
  }

  #connected(): Promise<unknown> {
    return (this.#ready ??= this.#client.connect());
  }

  async close(): Promise<void> {
    if (this.#client.isReady) await this.#client.close().catch(() => this.#client.destroy());
    else if (this.#client.isOpen) this.#client.destroy();
  }
}
