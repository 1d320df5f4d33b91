import { Migrator, sql, type Kysely, type Migration as KyselyMigration } from 'kysely';
import { migrations } from '../../db/migrations/index.js';
import type { Database } from './open-database.js';
import { sqliteBusyOptions } from './sqlite-busy-retry.js';

export class MigrationError extends Error {
  override name = 'MigrationError';
}

/** Applies pending migrations; returns the names applied by this call. */
export async function migrateToLatest(database: Database): Promise<string[]> {
  const provider = {
    async getMigrations(): Promise<Record<string, KyselyMigration>> {
      return Object.fromEntries(
        Object.entries(migrations).map(([name, m]) => [
          name,
          { up: (db: Kysely<unknown>) => m.up(db, database.dialect) },
        ]),
      );
    },
  };
  const migrator = new Migrator({ db: database.db, provider });
  // Kysely runs SQLite migrations outside a transaction, so one cannot be retried when the lock is busy: it
  // waits for it instead, synchronously. That is harmless here: a gateway migrates before it serves.
  const busy = sqliteBusyOptions(database.db);
  if (busy) await sql.raw(`pragma busy_timeout = ${Math.trunc(busy.busyDeadlineMs)}`).execute(database.db);
  let outcome;
  try {
    outcome = await migrator.migrateToLatest();
  } finally {
    if (busy) await sql.raw(`pragma busy_timeout = ${Math.trunc(busy.readBusyTimeoutMs)}`).execute(database.db);
  }
  const { error, results } = outcome;
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    const message = (error as Error).message;
    throw new MigrationError(failed ? `Migration ${failed} failed: ${message}` : `Cannot migrate the database: ${message}`);
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
