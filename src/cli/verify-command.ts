import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { flagHelp, loadSettings } from '../config.js';
import { migrateToLatest } from '../db/migrate.js';
import { isPostgresUrl, openDatabase } from '../db/open-database.js';
import { formatUtc } from '../time/iso-time.js';
import type { Difference } from '../verify/difference.js';
import { verifySessions, type VerifySummary } from '../verify/recompute-sessions.js';
import { parseAccount } from './keys-command.js';
import { UsageError } from './usage-error.js';

/** Exit status when verify could not run (usage, database): 1 already means "differences found". */
export const VERIFY_TROUBLE_EXIT = 2;

const INSTANT_FIELDS = new Set(['started_at', 'min_start_at', 'max_start_at', 'max_end_at', 'min_event_at', 'max_event_at']);

function shown(field: string, value: Difference['stored']): string {
  if (value === null) return 'none';
  if (typeof value === 'number' && INSTANT_FIELDS.has(field)) return formatUtc(value);
  return String(value);
}

export function differenceLine(d: Difference): string {
  const where =
    d.table === 'session_days' ? `day ${d.day}` :
    d.table === 'tool_hours' ? `hour ${d.hour} tool ${JSON.stringify(d.tool_name)}` :
    d.table === 'session_tools' ? `session ${d.session_id} tool ${JSON.stringify(d.tool_name)}` :
    `session ${d.session_id}`;
  return `${d.account}  ${where}  ${d.table}.${d.field}: stored ${shown(d.field, d.stored)}, recomputed ${shown(d.field, d.recomputed)}`;
}

function summaryLine(s: VerifySummary): string {
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  return (
    `Checked ${plural(s.sessions_checked, 'session')} in ${plural(s.accounts_checked, 'account')}: ` +
    (s.differences === 0 ? 'no differences.' : `${plural(s.differences, 'difference')}.`)
  );
}

export function registerVerify(program: Command): void {
  program
    .command('verify')
    .description(
      'Recompute every session, its per-tool counters and the per-day session counts from the stored events, ' +
        'and compare them with the folded rows. Exit 0 when all agree, 1 when any differs, 2 when it cannot run.',
    )
    .option('--account <slug>', 'only this account')
    .option('--json', 'print one JSON object: {"sessions_checked", "differences": [{"account", "table", "session_id", "tool_name", "day", "field", "stored", "recomputed"}]}')
    .option('--db <path|url>', flagHelp('db', 'SQLite file or postgres:// URL'))
    .addHelpText(
      'after',
      '\nEach difference is one line: account, session (and tool, or day), table.field, stored and recomputed value.\n' +
        'A row with no events behind it, or events with no row, is the field "row" (present / absent).\n' +
        'Each account is read in one snapshot, so a gateway may keep serving meanwhile.\n' +
        '\nExamples:\n  $ trenchcoat verify --db ./data/trenchcoat.db\n' +
        '  $ trenchcoat verify --account acme --json --db postgres://user@db-host/trenchcoat',
    )
    .action(async (flags: { account?: string; json?: boolean; db?: string }) => {
      const slug = flags.account === undefined ? undefined : parseAccount(flags.account);
      const { databaseUrl: url, postgres, sqlite } = loadSettings(['databaseUrl', 'postgres', 'sqlite'], flags);
      // Verifying a mistyped path must not create an empty database and call it clean.
      if (!isPostgresUrl(url) && url !== ':memory:' && !existsSync(url)) throw new UsageError(`No database at ${url}.`);
      const database = openDatabase(url, postgres, sqlite);
      let summary: VerifySummary;
      // Printed as found: a badly damaged database may have more differences than fit in memory.
      let opened = false;
      try {
        await migrateToLatest(database);
        let accountId: number | undefined;
        if (slug !== undefined) {
          const account = await database.db.selectFrom('accounts').select('id').where('slug', '=', slug).executeTakeFirst();
          if (!account) throw new UsageError(`No account "${slug}".`);
          accountId = Number(account.id);
        }
        summary = await verifySessions(database, {
          accountId,
          onDifference(d) {
            if (flags.json) {
              process.stdout.write(`${opened ? ',' : '{"differences":['}${JSON.stringify(d)}`);
              opened = true;
            } else console.log(differenceLine(d));
          },
        });
      } finally {
        await database.close();
      }
      if (flags.json) console.log(`${opened ? '' : '{"differences":['}],"sessions_checked":${summary.sessions_checked}}`);
      else console.log(summaryLine(summary));
      if (summary.differences > 0) process.exitCode = 1;
    });
}
