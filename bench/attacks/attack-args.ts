// Command-line flags of bench/attacks/run.ts.
import { isPostgresUrl, databaseName, redactUrl } from '../pg-admin.js';
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

export class AttackArgsError extends Error {}

export function parseAttackArgs(argv: readonly string[]): AttackArgs | 'help' {
  const args: AttackArgs = { gateway: ROOT, gatewayCommit: null, baseline: null, baselineCommit: null, only: ATTACKS.map((a) => a.name), db: null, rssCapMiB: 3072 };
  for (let i = 0; i < argv.length; i++) {
    const raw = argv[i]!;
    const eq = raw.indexOf('=');
    const flag = eq > 0 ? raw.slice(0, eq) : raw;
    const inline = eq > 0 ? raw.slice(eq + 1) : undefined;
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === '') throw new AttackArgsError(`${flag} needs a value. Try --help.`);
      return v;
    };
    switch (flag) {
      case '--help':
      case '-h':
        return 'help';
      case '--gateway':
        args.gateway = value();
        break;
      case '--baseline':
        args.baseline = value();
        break;
      case '--gateway-commit':
        args.gatewayCommit = value();
        break;
      case '--baseline-commit':
        args.baselineCommit = value();
        break;
      case '--only': {
        const list = value().split(',').map((s) => s.trim()).filter(Boolean);
        const unknown = list.filter((name) => !ATTACKS.some((a) => a.name === name));
        if (list.length === 0 || unknown.length > 0) throw new AttackArgsError(`--only takes a comma-separated list of ${ATTACKS.map((a) => a.name).join(', ')}; unknown: "${unknown.join(',')}".`);
        args.only = list;
        break;
      }
      case '--db': {
        const v = value();
        if (!isPostgresUrl(v)) throw new AttackArgsError('--db takes a postgres:// URL (SQLite, the default, needs no flag).');
        try {
          databaseName(v);
        } catch (error) {
          throw new AttackArgsError(`--db ${redactUrl(v)}: ${(error as Error).message}.`);
        }
        args.db = v;
        break;
      }
      case '--rss-cap-mib': {
        const v = value();
        if (!/^[0-9]+$/.test(v) || Number(v) < 64) throw new AttackArgsError(`--rss-cap-mib needs a whole number of at least 64; got "${v}".`);
        args.rssCapMiB = Number(v);
        break;
      }
      default:
        throw new AttackArgsError(`Unknown option "${raw}". Try --help.`);
    }
  }
  return args;
}
