import type { Command } from 'commander';
import { flagHelp, loadSettings } from '../config.js';
import { migrateToLatest } from '../db/migrate.js';
import { openDatabase } from '../db/open-database.js';

export function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description('Apply pending database migrations.')
    .option('--db <path|url>', flagHelp('db', 'SQLite file or postgres:// URL'))
    .addHelpText('after', '\nExample:\n  $ trenchcoat migrate --db ./data/trenchcoat.db')
    .action(async (flags: { db?: string }) => {
      const config = loadSettings(['databaseUrl', 'postgres', 'sqlite'], flags);
      const database = openDatabase(config.databaseUrl, config.postgres, config.sqlite);
      try {
        const applied = await migrateToLatest(database);
        console.log(applied.length === 0 ? 'Database is up to date.' : `Applied: ${applied.join(', ')}`);
      } finally {
        await database.close();
      }
    });
}
