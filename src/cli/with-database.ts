import { liveRelayFrom, postgresOptionsFrom, redisChannelFrom, redisUrlFrom } from '../config.js';
import { migrateToLatest } from '../db/migrate.js';
import { openDatabase, type Database } from '../db/open-database.js';
import { ChangePublisher } from '../live/change-publisher.js';
import { openRelay } from '../live/open-relay.js';

/**
 * Opens (and migrates) the database for one command, and always closes it. `changes` reaches the
 * running gateways' live subscribers through PostgreSQL or Redis; on SQLite alone it goes nowhere
 * (another process's gateway has no way to hear it).
 */
export async function withDatabase<T>(url: string, work: (database: Database, changes: ChangePublisher) => Promise<T>): Promise<T> {
  const database = openDatabase(url, postgresOptionsFrom());
  const redisUrl = redisUrlFrom();
  const relay = openRelay({ kind: liveRelayFrom(url, redisUrl), database, databaseUrl: url, redisUrl, redisChannel: redisChannelFrom() });
  const changes = new ChangePublisher(relay, (error) => process.stderr.write(`trenchcoat: live update not sent: ${String(error)}\n`));
  try {
    await migrateToLatest(database);
    return await work(database, changes);
  } finally {
    await changes.flush();
    await relay.close();
    await database.close();
  }
}
