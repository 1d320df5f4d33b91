import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql, type LogEvent } from 'kysely';
import pg from 'pg';
import type { EngineName } from './engine-name.js';
import { ObjectRowStatement } from './object-row-statement.js';
import { pgKyselyPool } from './pg-kysely-pool.js';
import { retryWritesWhileBusy, type SqliteBusyOptions } from './sqlite-busy-retry.js';
import { SqliteWorkerDialect } from './sqlite-worker-dialect.js';
import { StatementCache } from './statement-cache.js';
import type { Tables } from './tables.js';

export interface Database {
  readonly db: Kysely<Tables>;
  /**
   * For long reads (analytics): on a SQLite file, a read-only connection in a worker thread, so that a long
   * statement never holds up the event loop; elsewhere (PostgreSQL, whose waits never block it; `:memory:`,
   * which another connection cannot see) `db` itself. Reads only, one statement at a time, bounded in time and
   * queue (settings `sqlite.worker*`). Short, hot reads stay on `db`: the round trip to the thread costs more.
   */
  readonly readsOffLoop: Kysely<Tables>;
  readonly dialect: EngineName;
  /** Resolves when the database answers a trivial query. */
  ping(): Promise<void>;
  /**
   * Calls `listener` with the SQL of every statement run from now on (transaction control
   * included), until the returned function is called. For tests and diagnostics.
   */
  onStatement(listener: StatementListener): () => void;
  /** PostgreSQL's connection pool as it is now (for metrics); null on SQLite. */
  poolStats(): PoolStats | null;
  close(): Promise<void>;
}

export interface PoolStats {
  /** Connections open, idle or in use. */
  readonly total: number;
  readonly idle: number;
  /** Queries waiting for a connection. */
  readonly waiting: number;
}

export type StatementListener = (sql: string) => void;

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url);
}

export interface PostgresOptions {
  /** Connections per process. */
  readonly poolSize: number;
  /** Server-side statement_timeout in ms; 0 = none. */
  readonly statementTimeoutMs: number;
  /**
   * Reusable queries as named prepared statements (default on). Off for a pooler that hands each transaction
   * another server connection (PgBouncer's transaction mode before 1.21): the names would not be there.
   */
  readonly namedStatements?: boolean;
}

export interface SqliteOptions extends SqliteBusyOptions {
  /** A read in the worker thread running longer fails with 503; the worker is replaced. */
  readonly workerStatementTimeoutMs: number;
  /** Reads that may wait for the worker thread; one more gets 503 with Retry-After. */
  readonly workerQueue: number;
}

// 16 MiB of page cache per connection (default 2 MiB; there are two, the writer and the read worker): the folded rows
// that recent pages read stay in memory, while a gateway on a million sessions stays near 250 MiB (64 MiB each cost
// 40 to 60 MiB more). Pages beyond it come from the operating system's cache of the file, not the disk.
const CACHE_SIZE = -16384;

/** `postgres` applies to a postgres:// URL only (a SQLite file has no pool), `sqlite` to a file only. */
export function openDatabase(url: string, postgres: PostgresOptions, sqlite: SqliteOptions): Database {
  return isPostgresUrl(url) ? openPostgres(url, postgres) : openSqlite(url, sqlite);
}

function statementLog(listeners: Set<StatementListener>) {
  // Returns at once while nobody listens.
  return (event: LogEvent) => {
    if (listeners.size === 0) return;
    for (const listener of listeners) listener(event.query.sql);
  };
}

interface Connections {
  readonly db: Kysely<Tables>;
  readonly readsOffLoop?: Kysely<Tables>;
}

function handle({ db, readsOffLoop = db }: Connections, dialect: EngineName, listeners: Set<StatementListener>, ping: string, pools: pg.Pool[] = []): Database {
  return {
    db,
    readsOffLoop,
    dialect,
    poolStats: () =>
      pools.length === 0
        ? null
        : pools.reduce((sum, p) => ({ total: sum.total + p.totalCount, idle: sum.idle + p.idleCount, waiting: sum.waiting + p.waitingCount }), { total: 0, idle: 0, waiting: 0 }),
    onStatement(listener) {
      const own = (text: string) => listener(text);
      listeners.add(own);
      return () => void listeners.delete(own);
    },
    async ping() {
      await sql.raw(ping).execute(db);
    },
    async close() {
      try {
        if (readsOffLoop !== db) await readsOffLoop.destroy();
      } finally {
        await db.destroy();
      }
    },
  };
}

/** pg returns int8 and numeric as strings; every such value here (ms, counts, sums) is a safe double. */
function numericTypes() {
  const types = new pg.TypeOverrides();
  types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
  types.setTypeParser(pg.types.builtins.NUMERIC, (v) => Number(v));
  return types;
}

function openPostgres(url: string, options: PostgresOptions): Database {
  const namedStatements = options.namedStatements !== false;
  // From two connections on, half of them (rounded down) run the named statements with generic plans (pg-kysely-pool.ts).
  const namedSize = namedStatements ? Math.floor(options.poolSize / 2) : 0;
  const main = openPgPool(url, options, options.poolSize - namedSize);
  const named = namedSize > 0 ? openPgPool(url, options, namedSize, '-c plan_cache_mode=force_generic_plan') : null;
  const listeners = new Set<StatementListener>();
  const dialect = new PostgresDialect({ pool: pgKyselyPool({ main, named }, { namedStatements }) });
  const db = new Kysely<Tables>({ dialect, log: statementLog(listeners) });
  return handle({ db }, 'postgres', listeners, 'select 1', named ? [main, named] : [main]);
}

function openPgPool(url: string, options: PostgresOptions, max: number, serverOptions?: string): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max,
    types: numericTypes(),
    ...(serverOptions ? { options: serverOptions } : {}),
    ...(options.statementTimeoutMs > 0 ? { statement_timeout: options.statementTimeoutMs } : {}),
  });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  // Nor may a checked-out one between two statements (the pool listens only while a client is idle):
  // its next statement fails, is answered 503, and the client is discarded on release.
  pool.on('connect', (client) => client.on('error', () => {}));
  return pool;
}

function openSqlite(path: string, options: SqliteOptions): Database {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const sqlite = new SQLite(path);
  sqlite.pragma('journal_mode = WAL');
  // NORMAL under WAL survives a process crash; only an OS crash may lose the last commits.
  sqlite.pragma('synchronous = NORMAL');
  // SQLite waits for a lock synchronously, on the event loop: only briefly here. Writers never wait on it:
  // writeTransaction takes the write lock first, retrying on timers while another process holds it.
  sqlite.pragma(`busy_timeout = ${Math.trunc(options.readBusyTimeoutMs)}`);
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma(`cache_size = ${CACHE_SIZE}`);
  const listeners = new Set<StatementListener>();
  const db = new Kysely<Tables>({ dialect: new SqliteDialect({ database: new StatementCache(sqlite, ObjectRowStatement.wrap) }), log: statementLog(listeners) });
  retryWritesWhileBusy(db, options);
  // Reads the schema table, so a missing or corrupt file fails here, not only in the next query.
  return handle({ db, readsOffLoop: path === ':memory:' || path === '' ? db : readWorker(path, options, listeners) }, 'sqlite', listeners, 'select count(*) from sqlite_master');
}

/** The worker's thread starts with its first statement: commands that never read analytics never start one. */
function readWorker(path: string, options: SqliteOptions, listeners: Set<StatementListener>): Kysely<Tables> {
  const dialect = new SqliteWorkerDialect({
    path: resolve(path),
    // The worker waits for a lock on its own thread, holding up only the reads queued behind it: as long as a writer would.
    busyTimeoutMs: options.busyDeadlineMs,
    cacheSize: CACHE_SIZE,
    statementTimeoutMs: options.workerStatementTimeoutMs,
    maxQueued: options.workerQueue,
  });
  return new Kysely<Tables>({ dialect, log: statementLog(listeners) });
}
