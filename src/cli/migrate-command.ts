import type { Command } from 'commander';
import { databaseUrlFrom, postgresOptionsFrom } from '../config.js';
import { migrateToLatest } from '../db/migrate.js';
import { openDatabase } from '../db/open-database.js';

export function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description('Apply pending database migrations.')
    .option('--db <path|url>', 'SQLite file or postgres:// URL (env DATABASE_URL)')
    .addHelpText('after', '\nExample:\n  $ trenchcoat migrate --db ./data/trenchcoat.db')
    .action(async (flags: { db?: string }) => {
      const database = openDatabase(databaseUrlFrom(flags), postgresOptionsFrom());
      try {
        const applied = await migrateToLatest(database);
        console.log(applied.length === 0 ? 'Database is up to date.' : `Applied: ${applied.join(', ')}`);
      } finally {
        await database.close();
      }
    });
}
