import { setTimeout as sleep } from 'node:timers/promises';
import type { Kysely } from 'kysely';

export interface SqliteBusyOptions {
  /** How long a write keeps retrying while another connection holds the write lock. */
  readonly busyDeadlineMs: number;
  /** The connection's busy_timeout: how long any statement waits, synchronously, for a lock. */
  readonly readBusyTimeoutMs: number;
}

const FIRST_PAUSE_MS = 2;
const LONGEST_PAUSE_MS = 50;

const byDatabase = new WeakMap<object, SqliteBusyOptions>();

/** Marks `db` as a SQLite database whose writers retry on a busy lock (openDatabase does it). */
export function retryWritesWhileBusy(db: Kysely<any>, options: SqliteBusyOptions): void {
  byDatabase.set(db, options);
}

/** How `db`'s writers wait for SQLite's write lock; null for PostgreSQL, whose waits never block the event loop. */
export function sqliteBusyOptions(db: Kysely<any>): SqliteBusyOptions | null {
  return byDatabase.get(db) ?? null;
}

export function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
}

/**
 * Runs `attempt` until it does not fail with SQLITE_BUSY, pausing between attempts on timers (so other
 * requests are served meanwhile), for at most `deadlineMs`; then the last SQLITE_BUSY error is thrown
 * (a 503). Each attempt must leave nothing behind when it fails: a whole transaction, rolled back.
 */
export async function retryWhileBusy<T>(deadlineMs: number, attempt: () => Promise<T>): Promise<T> {
  const deadline = performance.now() + deadlineMs;
  for (let pause = FIRST_PAUSE_MS; ; pause = Math.min(LONGEST_PAUSE_MS, pause * 2)) {
    try {
      return await attempt();
    } catch (error) {
      const left = deadline - performance.now();
      if (!isBusy(error) || left <= 0) throw error;
      // Jitter: writers of several processes polling in step would keep colliding.
      await sleep(Math.min(left, pause * (0.5 + Math.random() / 2)));
    }
  }
}
