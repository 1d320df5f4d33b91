import type { PersistedQueryBounds, PersistedQueryStore } from './persisted-query-store.js';

/** One process alone (SQLite without Redis): the least recently used document goes first. */
export class MemoryPersistedQueryStore implements PersistedQueryStore {
  // A Map iterates in insertion order: re-inserting on use keeps the least recently used first.
  readonly #documents = new Map<string, { document: string; storedAt: number }>();
  readonly #bounds: PersistedQueryBounds;
  readonly #now: () => number;

  constructor(bounds: PersistedQueryBounds, now: () => number) {
    this.#bounds = bounds;
    this.#now = now;
  }

  async get(hash: string): Promise<string | null> {
    const entry = this.#documents.get(hash);
    if (!entry) return null;
    this.#documents.delete(hash);
    if (this.#now() - entry.storedAt >= this.#bounds.ttlMs) return null;
    this.#documents.set(hash, entry);
    return entry.document;
  }

  async set(hash: string, document: string): Promise<void> {
    if (this.#bounds.maxDocuments === 0) return;
    this.#documents.delete(hash);
    this.#documents.set(hash, { document, storedAt: this.#now() });
    for (const oldest of this.#documents.keys()) {
      if (this.#documents.size <= this.#bounds.maxDocuments) break;
      this.#documents.delete(oldest);
    }
  }

  async close(): Promise<void> {
    this.#documents.clear();
  }
}
