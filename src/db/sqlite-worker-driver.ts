import { CompiledQuery, type DatabaseConnection, type Driver, type QueryResult } from 'kysely';
import { apiError } from '../errors/api-error.js';
import type { SqliteWorkerSetup } from './sqlite-worker-messages.js';
import { SqliteWorkerThread } from './sqlite-worker-thread.js';

export interface SqliteWorkerOptions extends SqliteWorkerSetup {
  /** A statement running longer fails with 503; its worker is stopped and another started for the next. */
  readonly statementTimeoutMs: number;
  /** Statements that may wait for the worker; one more is refused at once with 503 and Retry-After. */
  readonly maxQueued: number;
}

/**
 * Workers stopped by the time limit that are still running their statement (SQLite cannot be interrupted): each
 * holds a core and its page cache until the statement ends. Past this many, statements are refused rather than
 * leave yet another one running.
 */
const MAX_STOPPED_RUNNING = 2;
const RETRY_AFTER_SECONDS = 1;

/**
 * Kysely's driver for reads in a worker thread (sqlite-read-worker.ts) with a read-only connection of its own:
 * a long statement holds up that thread, never the event loop. One statement at a time, like any SQLite
 * connection; the rest wait in a bounded queue. The worker starts with the first statement.
 */
export class SqliteWorkerDriver implements Driver {
  readonly #options: SqliteWorkerOptions;
  readonly #connection: DatabaseConnection;
  readonly #waiting: { resolve: () => void; reject: (error: unknown) => void }[] = [];
  readonly #stoppedRunning = new Set<SqliteWorkerThread>();
  #thread: SqliteWorkerThread | null = null;
  #held = false;
  #destroyed = false;

  constructor(options: SqliteWorkerOptions) {
    this.#options = Object.freeze({ ...options });
    this.#connection = {
      executeQuery: (query) => this.#execute(query),
      streamQuery: async function* () {
        throw new Error('the SQLite read worker does not stream: run the query with execute()');
      },
    };
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    if (this.#destroyed) throw new Error('driver has already been destroyed');
    if (!this.#held) {
      this.#held = true;
      return this.#connection;
    }
    if (this.#waiting.length >= this.#options.maxQueued) throw this.#refusal(`${this.#options.maxQueued} database reads are already waiting`);
    await new Promise<void>((resolve, reject) => this.#waiting.push({ resolve, reject }));
    return this.#connection;
  }

  async releaseConnection(): Promise<void> {
    const next = this.#waiting.shift();
    if (next) next.resolve();
    else this.#held = false;
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin'));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('rollback'));
  }

  async destroy(): Promise<void> {
    this.#destroyed = true;
    for (const waiter of this.#waiting.splice(0)) waiter.reject(new Error('driver has already been destroyed'));
    const thread = this.#thread;
    this.#thread = null;
    // One stopped by the time limit is on its way out already (see #execute).
    if (!thread?.usable) return;
    // An idle thread ends at once. One amid a statement ends when the statement does (SQLite cannot be interrupted):
    // not waited for here, so that closing is not held up by a long read.
    const idle = !thread.busy;
    thread.stop();
    if (idle) await thread.exited;
  }

  async #execute<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    if (this.#destroyed) throw new Error('driver has already been destroyed');
    if (this.#stoppedRunning.size >= MAX_STOPPED_RUNNING) throw this.#refusal('earlier reads that ran too long are still being stopped');
    const thread = this.#thread?.usable ? this.#thread : this.#start();
    try {
      const result = await thread.run(query.sql, query.parameters, this.#options.statementTimeoutMs);
      return { rows: result.rows as R[], ...(result.changes === undefined ? {} : { numAffectedRows: BigInt(result.changes) }) };
    } finally {
      if (!thread.usable && !this.#destroyed) {
        this.#stoppedRunning.add(thread);
        void thread.exited.then(() => this.#stoppedRunning.delete(thread));
      }
    }
  }

  #start(): SqliteWorkerThread {
    const { path, busyTimeoutMs, cacheSize } = this.#options;
    this.#thread = new SqliteWorkerThread({ path, busyTimeoutMs, cacheSize });
    return this.#thread;
  }

  #refusal(why: string) {
    return apiError('UNAVAILABLE', `The server is busy with long database reads (${why}). Retry after ${RETRY_AFTER_SECONDS} second.`, undefined, {
      'retry-after': String(RETRY_AFTER_SECONDS),
    });
  }
}
