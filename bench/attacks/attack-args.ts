// Command-line flags of bench/attacks/run.ts.
import { FlagError, FlagReader } from '../flag-reader.js';
import { isPostgresUrl } from '../pg-admin.js';
import { ROOT } from '../processes.js';
import { ATTACKS } from './attack-list.js';

export interface AttackArgs {
  gateway: string;
  gatewayCommit: string | null;
  baseline: string | null;
  baselineCommit: string | null;
  only: string[];
  db: string | null;
  rssCapMiB: number;
}

export const USAGE = `Usage: node --import tsx bench/attacks/run.ts [options]

Replays the attacks of issue 15 against a real gateway process (a fresh one per attack, on a fresh
database) and prints, per attack: the gateway's peak RSS, the longest /healthz answer, the errors
another tenant saw, and the attack's own answers. Not a test: nothing here runs in npm test.

  --gateway DIR           the checkout whose built gateway (DIR/bin/trenchcoat.js, DIR/dist/) is measured
                          (default: this checkout, ${ROOT}); build it first (npx tsc -b tsconfig.build.json)
  --baseline DIR          also measure this checkout's gateway, as the "before" column beside --gateway's "after"
  --gateway-commit TEXT   how to name --gateway's column when DIR is not a git checkout (e.g. a git archive copy)
  --baseline-commit TEXT  the same for --baseline
  --only a,b              attacks: ${ATTACKS.map((a) => a.name).join(', ')}
  --db postgres://USER@HOST:PORT/NAME
                          run on PostgreSQL: each attack in a new database NAME_atk_… on that server (created,
                          then dropped); default: SQLite files in a temporary folder
  --rss-cap-mib N         kill the gateway past this RSS, so an attack cannot take the machine down (default 3072)
  --help`;

export function parseAttackArgs(argv: readonly string[]): AttackArgs | 'help' {
  const names = ATTACKS.map((a) => a.name);
  const args: AttackArgs = { gateway: ROOT, gatewayCommit: null, baseline: null, baselineCommit: null, only: names, db: null, rssCapMiB: 3072 };
  const flags = new FlagReader(argv);
  for (let flag = flags.next(); flag !== null; flag = flags.next()) {
    switch (flag) {
      case '--help':
      case '-h':
        return 'help';
      case '--gateway':
        args.gateway = flags.value();
        break;
      case '--baseline':
        args.baseline = flags.value();
        break;
      case '--gateway-commit':
        args.gatewayCommit = flags.value();
        break;
      case '--baseline-commit':
        args.baselineCommit = flags.value();
        break;
      case '--only':
        args.only = flags.list(names);
        break;
      case '--db': {
        const db = flags.database();
        if (!isPostgresUrl(db)) throw new FlagError('--db takes a postgres:// URL (SQLite, the default, needs no flag).');
        args.db = db;
        break;
      }
      case '--rss-cap-mib':
        args.rssCapMiB = flags.integer(64);
        break;
      default:
        throw flags.unknown();
    }
  }
  return args;
}
