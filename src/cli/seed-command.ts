import type { Command } from 'commander';
import { KeyStore } from '../auth/key-store.js';
import { flagHelp } from '../config.js';
import { demoSessions } from '../demo/demo-events.js';
import { storeDemoSessions } from '../demo/store-demo-sessions.js';
import { importPrincipal } from '../import/import-transcripts.js';
import { createUseCaseContext, localServices } from '../use-cases/use-case-context.js';
import { parseAccount } from './keys-command.js';
import { progressBar } from './progress-bar.js';
import { UsageError } from './usage-error.js';
import { withDatabase } from './with-database.js';

interface SeedFlags {
  sessions: string;
  account: string;
  days: string;
  usage?: boolean;
  json?: boolean;
  db?: string;
}

function count(flag: string, value: string, max: number): number {
  if (!/^[0-9]{1,9}$/.test(value) || Number(value) < 1 || Number(value) > max) {
    throw new UsageError(`${flag} must be a whole number from 1 to ${max.toLocaleString('en-US')}; got "${value}".`);
  }
  return Number(value);
}

export function registerSeed(program: Command): void {
  program
    .command('seed')
    .description('Store generated demo sessions (prompts, tool calls, results; with --usage their model usage) for dashboards and load tests.')
    .requiredOption('--sessions <n>', 'how many sessions to generate (1 to 10,000,000)')
    .option('--account <slug>', 'account to store them in (created if new)', 'demo')
    .option('--days <n>', 'spread the sessions over this many days before now', '30')
    .option('--usage', 'also store their model requests, failed requests and counters (about twice the time)')
    .option('--json', 'print the summary as one JSON object')
    .option('--db <path|url>', flagHelp('db', 'SQLite file or postgres:// URL'))
    .addHelpText(
      'after',
      '\nThe same --sessions and --account twice store nothing new (ids are derived from them).\n\nExamples:\n' +
        '  $ trenchcoat seed --sessions 1000\n' +
        '  $ trenchcoat seed --sessions 100000 --account loadtest --days 365 --json\n' +
        '  $ trenchcoat seed --sessions 100000 --usage',
    )
    .action(async (flags: SeedFlags) => {
      const sessions = count('--sessions', flags.sessions, 10_000_000);
      const days = count('--days', flags.days, 36_500);
      const account = parseAccount(flags.account);
      const bar = progressBar();
      const started = performance.now();
      let summary = { account, sessions, events: 0, stored: 0, duplicates: 0, modelRequests: 0, apiErrors: 0, counterPoints: 0 };
      try {
        await withDatabase(flags, async (database, changes) => {
          const accountId = await new KeyStore(database.db).ensureAccount(account);
          // The same ingestion use cases as POST /api/v1/events and the OTLP export, as a write-only principal of the account.
          const ctx = createUseCaseContext(localServices(database.db, changes), importPrincipal(accountId, account));
          const generated = demoSessions(Date.now(), sessions, { tag: `seed-${account}-${sessions}`, spanDays: days });
          const stored = await storeDemoSessions(ctx, generated, {
            withUsage: flags.usage === true,
            progress: (done) =>
              bar?.update(done.sessions, sessions, `${done.sessions.toLocaleString('en-US')}/${sessions.toLocaleString('en-US')} sessions, ${done.events.toLocaleString('en-US')} events`),
          });
          const { sessions: _sessions, ...counts } = stored;
          summary = { ...summary, ...counts };
        });
      } finally {
        bar?.clear();
      }
      const seconds = (performance.now() - started) / 1000;
      if (flags.json) {
        console.log(JSON.stringify({ ...summary, seconds: Math.round(seconds * 10) / 10 }));
      } else {
        const usage = flags.usage
          ? `, ${summary.modelRequests.toLocaleString('en-US')} model requests, ${summary.apiErrors.toLocaleString('en-US')} failed requests, ` +
            `${summary.counterPoints.toLocaleString('en-US')} counter points`
          : '';
        console.log(
          `Seeded ${sessions.toLocaleString('en-US')} sessions in account "${account}": ${summary.events.toLocaleString('en-US')} events ` +
            `(${summary.stored.toLocaleString('en-US')} new, ${summary.duplicates.toLocaleString('en-US')} already stored)${usage} in ${seconds.toFixed(1)} s.`,
        );
      }
    });
}
