import { sql, type Kysely } from 'kysely';
import { isBusy, retryWhileBusy, sqliteBusyOptions, type SqliteBusyOptions } from './sqlite-busy-retry.js';

const BUSY = Symbol('busy');

/**
 * Runs `work` in a transaction that writes. On PostgreSQL, an ordinary transaction: its lock waits are
 * asynchronous already. On SQLite, the write lock is taken first (BEGIN IMMEDIATE) without waiting: while
 * another process holds it, the connection is handed back to other queries and the attempt is repeated
 * on a timer, up to the busy deadline (then SQLITE_BUSY, a 503). Once taken, no statement of `work` can
 * meet a busy lock, so SQLite never waits on the event loop and a transaction that read first is never
 * left to fail half-way on a stale snapshot.
 */
export async function writeTransaction<DB, T>(db: Kysely<DB>, work: (trx: Kysely<DB>) => Promise<T>): Promise<T> {
  const options = sqliteBusyOptions(db);
  if (!options) return db.transaction().execute(work);
  let lastBusy: unknown;
  const outcome = await retryWhileBusy(options.busyDeadlineMs, async () => {
    const attempt = await db.connection().execute(async (connection) => {
      try {
        await beginImmediate(connection, options);
      } catch (error) {
        if (!isBusy(error)) throw error;
        lastBusy = error;
        return BUSY;
      }
      try {
        const value = await work(connection);
        await sql`commit`.execute(connection);
        return { value };
      } catch (error) {
        // SQLite may have rolled back already (a full disk): then this rollback fails, and the first error matters.
        await sql`rollback`.execute(connection).catch(() => {});
        throw error;
      }
    });
    // Thrown outside the connection's callback, so the connection is free while the retry waits.
    if (attempt === BUSY) throw lastBusy;
    return attempt;
  });
  return outcome.value;
}

/** BEGIN IMMEDIATE that fails at once when the lock is taken, rather than waiting the connection's busy_timeout. */
async function beginImmediate(connection: Kysely<any>, options: SqliteBusyOptions): Promise<void> {
  await sql`pragma busy_timeout = 0`.execute(connection);
  try {
    await sql`begin immediate`.execute(connection);
  } finally {
    await sql.raw(`pragma busy_timeout = ${Math.trunc(options.readBusyTimeoutMs)}`).execute(connection);
  }
}
