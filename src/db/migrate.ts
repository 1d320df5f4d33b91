import { Migrator, type Kysely, type Migration as KyselyMigration } from 'kysely';
import { migrations } from '../../db/migrations/index.js';
import type { Database } from './open-database.js';

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
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    const message = (error as Error).message;
    throw new MigrationError(failed ? `Migration ${failed} failed: ${message}` : `Cannot migrate the database: ${message}`);
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
