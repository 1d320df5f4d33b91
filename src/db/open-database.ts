import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import type { Dialect } from './dialect-name.js';
import { StatementCache } from './statement-cache.js';
import type { Tables } from './tables.js';

export interface Database {
  readonly db: Kysely<Tables>;
  readonly dialect: Dialect;
  /** Resolves when the database answers a trivial query. */
  ping(): Promise<void>;
  /**
   * Calls `listener` with the SQL of every statement run from now on (transaction control
   * included), until the returned function is called. For tests and diagnostics.
   */
  onStatement(listener: StatementListener): () => void;
  close(): Promise<void>;
}

export type StatementListener = (sql: string) => void;

export class UnsupportedDatabaseUrlError extends Error {
  override name = 'UnsupportedDatabaseUrlError';
}

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url);
}

export function openDatabase(url: string): Database {
  if (isPostgresUrl(url)) {
    throw new UnsupportedDatabaseUrlError('PostgreSQL is not supported by this build yet; use a SQLite file path.');
  }
  return openSqlite(url);
}

function openSqlite(path: string): Database {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const sqlite = new SQLite(path);
  sqlite.pragma('journal_mode = WAL');
  // NORMAL under WAL survives a process crash; only an OS crash may lose the last commits.
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  // 64 MiB of page cache (default 2 MiB): the folded rows that analytics read stay in memory.
  sqlite.pragma('cache_size = -65536');
  const listeners = new Set<StatementListener>();
  const db = new Kysely<Tables>({
    dialect: new SqliteDialect({ database: new StatementCache(sqlite) }),
    // Returns at once while nobody listens.
    log: (event) => {
      if (listeners.size === 0) return;
      for (const listener of listeners) listener(event.query.sql);
    },
  });
  return {
    db,
    dialect: 'sqlite',
    onStatement(listener) {
      const own = (sql: string) => listener(sql);
      listeners.add(own);
      return () => void listeners.delete(own);
    },
    async ping() {
      // Reads the schema table, so a missing or corrupt file fails here, not only in the next query.
      await sql`select count(*) from sqlite_master`.execute(db);
    },
    async close() {
      await db.destroy();
    },
  };
}
