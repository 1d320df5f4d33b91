/**
 * Where automatic persisted queries are kept, by the sha256 of their text. `get` answers null for a hash the
 * store does not hold (never stored, expired or evicted); `set` keeps the bounds below whatever callers do.
 */
export interface PersistedQueryStore {
  get(hash: string): Promise<string | null>;
  set(hash: string, document: string): Promise<void>;
  close(): Promise<void>;
}

/** How much a store may hold: a registering key can only replace documents, never grow the store past these. */
export interface PersistedQueryBounds {
  /** Documents kept at most (0: none is stored). */
  readonly maxDocuments: number;
  /** How long a document is kept after it was stored. */
  readonly ttlMs: number;
}
