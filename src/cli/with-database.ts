import { loadSettings, type ConfigFlags } from '../config.js';
import { migrateToLatest } from '../db/migrate.js';
import { openDatabase, type Database } from '../db/open-database.js';
import { ChangePublisher } from '../live/change-publisher.js';
import { openRelay } from '../live/open-relay.js';

/**
 * Opens (and migrates) the database the settings name (`--db`, DATABASE_URL, the PostgreSQL pool) for
 * one command, and always closes it. `changes` reaches the running gateways' live subscribers through
 * PostgreSQL or Redis; on SQLite alone it goes nowhere (another process's gateway has no way to hear it).
 */
export async function withDatabase<T>(flags: ConfigFlags, work: (database: Database, changes: ChangePublisher) => Promise<T>): Promise<T> {
  const config = loadSettings(['databaseUrl', 'postgres', 'sqlite', 'redisUrl', 'liveRelay', 'redisChannel'], flags);
  const database = openDatabase(config.databaseUrl, config.postgres, config.sqlite);
  const relay = openRelay({ kind: config.liveRelay, database, databaseUrl: config.databaseUrl, redisUrl: config.redisUrl, redisChannel: config.redisChannel });
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
