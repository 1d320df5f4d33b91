import type { Kysely } from 'kysely';
import type { Tables } from '../../db/tables.js';
import type { PersistedQueryBounds, PersistedQueryStore } from './persisted-query-store.js';

/** Migration 0006; declared here, its one reader and writer. */
interface PersistedQueriesTable {
  hash: string;
  document: string;
  /** Milliseconds since the Unix epoch. */
  stored_at: number;
}

/**
 * Several processes on one PostgreSQL: a row per document. A document is kept for the TTL from when it was
 * (last) stored; past the count, the oldest stored go. Storing is rare (a document a key has not sent before),
 * so the trim runs there, and a read is one lookup by primary key.
 */
export class DatabasePersistedQueryStore implements PersistedQueryStore {
  readonly #db: Kysely<Tables & { persisted_queries: PersistedQueriesTable }>;
  readonly #bounds: PersistedQueryBounds;
  readonly #now: () => number;

  constructor(db: Kysely<Tables>, bounds: PersistedQueryBounds, now: () => number) {
    this.#db = db.withTables<{ persisted_queries: PersistedQueriesTable }>();
    this.#bounds = bounds;
    this.#now = now;
  }

  async get(hash: string): Promise<string | null> {
    const row = await this.#db
      .selectFrom('persisted_queries')
      .select('document')
      .where('hash', '=', hash)
      .where('stored_at', '>', this.#now() - this.#bounds.ttlMs)
      .executeTakeFirst();
    return row?.document ?? null;
  }

  async set(hash: string, document: string): Promise<void> {
    if (this.#bounds.maxDocuments === 0) return;
    const now = this.#now();
    await this.#db
      .insertInto('persisted_queries')
      .values({ hash, document, stored_at: now })
      .onConflict((oc) => oc.column('hash').doUpdateSet({ document, stored_at: now }))
      .execute();
    // No transaction holds locks across the two: each insert is followed by its own trim, which sees it, so once
    // stores at once are done the count is back within the bound.
    const kept = this.#db.selectFrom('persisted_queries').select('hash').orderBy('stored_at', 'desc').orderBy('hash').limit(this.#bounds.maxDocuments);
    await this.#db
      .deleteFrom('persisted_queries')
      .where((eb) => eb.or([eb('stored_at', '<=', now - this.#bounds.ttlMs), eb('hash', 'not in', kept)]))
      .execute();
  }

  async close(): Promise<void> {}
}
