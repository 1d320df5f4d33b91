/**
 * A per-request batcher in the manner of DataLoader: every `load` made in the same tick of
 * execution is answered by one call of `batch`, and a key asked for twice is fetched once.
 */
export class BatchLoader<K, V> {
  readonly #batch: (keys: readonly K[]) => Promise<readonly V[]>;
  readonly #cacheKey: (key: K) => string;
  readonly #cache = new Map<string, Promise<V>>();
  #queue: { key: K; resolve: (v: V) => void; reject: (e: unknown) => void }[] = [];

  /** `batch` answers keys in their order, one value per key. */
  constructor(batch: (keys: readonly K[]) => Promise<readonly V[]>, cacheKey: (key: K) => string) {
    this.#batch = batch;
    this.#cacheKey = cacheKey;
  }

  load(key: K): Promise<V> {
    const id = this.#cacheKey(key);
    const cached = this.#cache.get(id);
    if (cached) return cached;
    const promise = new Promise<V>((resolve, reject) => {
      if (this.#queue.length === 0) {
        // After the promise jobs of the current tick, as DataLoader does: resolvers that run
        // together (the items of a list) all enqueue before the batch goes out.
        void Promise.resolve().then(() => process.nextTick(() => void this.#dispatch()));
      }
      this.#queue.push({ key, resolve, reject });
    });
    this.#cache.set(id, promise);
    return promise;
  }

  async #dispatch(): Promise<void> {
    const queue = this.#queue;
    this.#queue = [];
    try {
      const values = await this.#batch(queue.map((q) => q.key));
      queue.forEach((q, i) => q.resolve(values[i] as V));
    } catch (error) {
      for (const q of queue) q.reject(error);
    }
  }
}
