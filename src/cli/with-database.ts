import { migrateToLatest } from '../db/migrate.js';
import { postgresOptionsFrom } from '../config.js';
import { openDatabase, type Database } from '../db/open-database.js';

/** Opens (and migrates) the database for one command, and always closes it. */
export async function withDatabase<T>(url: string, work: (database: Database) => Promise<T>): Promise<T> {
  const database = openDatabase(url, postgresOptionsFrom());
  try {
    await migrateToLatest(database);
    return await work(database);
  } finally {
    await database.close();
  }
}
