// The peers' data access: the REST baseline's store for the engine of `--db` (a SQLite file, or a
// postgres:// URL), as the one call a resolver makes. Synchronous on SQLite (better-sqlite3), a
// promise on PostgreSQL (pg); GraphQL resolvers and contexts take either.
import { isPostgresUrl } from '../pg-admin.js';
import type { Caller, PageQuery, SessionRow } from '../session-view.js';
import { SessionsStore } from '../sessions-store.js';
import { PgSessionsStore } from '../sessions-store-pg.js';

type Maybe<T> = T | Promise<T>;

export interface PeerStore {
  authenticate(key: string | null): Maybe<Caller | null>;
  /** The number of sessions matching `q` and its page. */
  load(q: PageQuery): Maybe<{ total: number; rows: SessionRow[] }>;
  close(): Maybe<void>;
}

export function openPeerStore(db: string): PeerStore {
  if (isPostgresUrl(db)) {
    const store = new PgSessionsStore(db);
    return {
      authenticate: (key) => store.authenticate(key),
      load: async (q) => {
        const [total, rows] = await store.countAndPage(q);
        return { total, rows };
      },
      close: () => store.close(),
    };
  }
  const store = new SessionsStore(db);
  return {
    authenticate: (key) => store.authenticate(key),
    load: (q) => ({ total: store.count(q), rows: store.page(q) }),
    close: () => store.close(),
  };
}
