// Command-line flags of `npm run bench` (bench/run.ts).

export const SCENARIOS = ['rest-day', 'rest-month', 'rest-first-page', 'rest-deep-page', 'graphql-day', 'ingest'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export interface BenchArgs {
  sessions: number;
  duration: number;
  rounds: number;
  connections: number;
  ingestConnections: number;
  warmup: number;
  only: ScenarioName[];
  db: string | null;
  json: string | null;
  writeReadme: boolean;
  build: 'auto' | 'http' | 'inprocess';
  buildInflight: number;
  gatewayLogLevel: string | null;
  keepScratch: boolean;
}

export const USAGE = `Usage: npm run bench -- [options]

  --sessions N            sessions in the main account (default 1000000); noise accounts add ~5%
  --duration S            seconds measured per round and server (default 10)
  --rounds R              rounds per scenario, servers alternating (default 3)
  --connections C         autocannon connections for the read scenarios (default 10)
  --ingest-connections C  connections for the gateway's ingestion scenario (default 4)
  --warmup S              warm-up seconds before each measured round (default: min(2, duration))
  --only a,b              scenarios: ${SCENARIOS.join(', ')}
  --db PATH               data set file to use (built there if missing); default bench/.data/sessions-N.db
  --build auto|http|inprocess
                          how a missing data set is loaded: http POSTs to /api/v1/events; inprocess calls
                          runGuarded(ingestEvents); auto (default) starts over HTTP and finishes in-process
                          when the whole build would take over 15 minutes
  --build-inflight K      requests in flight while building over HTTP (default 4)
  --gateway-log-level L   LOG_LEVEL for the gateway (default: unset, the gateway's own default, info)
  --json [PATH]           also write the results as JSON (default bench/.data/results.json)
  --write-readme          replace the block between <!-- bench:start --> and <!-- bench:end --> in README.md
  --keep-scratch          keep the ingestion scenario's scratch databases
  --help`;

export class ArgsError extends Error {}

function positiveInt(flag: string, value: string | undefined, min = 1): number {
  if (value === undefined || !/^[0-9]+$/.test(value) || Number(value) < min) {
    throw new ArgsError(`${flag} needs an integer of at least ${min}; got ${value === undefined ? 'nothing' : `"${value}"`}.`);
  }
  return Number(value);
}

function positiveNumber(flag: string, value: string | undefined): number {
  if (value === undefined || !/^[0-9]+(\.[0-9]+)?$/.test(value)) {
    throw new ArgsError(`${flag} needs a number; got ${value === undefined ? 'nothing' : `"${value}"`}.`);
  }
  return Number(value);
}

export function parseArgs(argv: readonly string[]): BenchArgs | 'help' {
  const args: BenchArgs = {
    sessions: 1_000_000,
    duration: 10,
    rounds: 3,
    connections: 10,
    ingestConnections: 4,
    warmup: -1,
    only: [...SCENARIOS],
    db: null,
    json: null,
    writeReadme: false,
    build: 'auto',
    buildInflight: 4,
    gatewayLogLevel: null,
    keepScratch: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const raw = argv[i]!;
    const eq = raw.indexOf('=');
    const flag = eq > 0 ? raw.slice(0, eq) : raw;
    const inline = eq > 0 ? raw.slice(eq + 1) : undefined;
    const value = () => inline ?? argv[++i];
    switch (flag) {
      case '--help':
      case '-h':
        return 'help';
      case '--sessions':
        args.sessions = positiveInt(flag, value(), 100);
        break;
      case '--duration':
        args.duration = positiveNumber(flag, value());
        if (args.duration <= 0) throw new ArgsError('--duration must be above 0.');
        break;
      case '--rounds':
        args.rounds = positiveInt(flag, value());
        break;
      case '--connections':
        args.connections = positiveInt(flag, value());
        break;
      case '--ingest-connections':
        args.ingestConnections = positiveInt(flag, value());
        break;
      case '--warmup':
        args.warmup = positiveNumber(flag, value());
        break;
      case '--only': {
        const list = (value() ?? '').split(',').map((s) => s.trim()).filter(Boolean);
        const unknown = list.filter((s) => !(SCENARIOS as readonly string[]).includes(s));
        if (list.length === 0 || unknown.length > 0) {
          throw new ArgsError(`--only takes a comma-separated list of ${SCENARIOS.join(', ')}; got "${unknown.join(',')}".`);
        }
        args.only = SCENARIOS.filter((s) => list.includes(s));
        break;
      }
      case '--db': {
        const v = value();
        if (!v) throw new ArgsError('--db needs a path.');
        args.db = v;
        break;
      }
      case '--json': {
        // Optional value: `--json`, `--json=PATH` or `--json PATH` (when the next word is not a flag).
        if (inline !== undefined) args.json = inline;
        else if (argv[i + 1] !== undefined && !argv[i + 1]!.startsWith('--')) args.json = argv[++i]!;
        else args.json = 'bench/.data/results.json';
        break;
      }
      case '--write-readme':
        args.writeReadme = true;
        break;
      case '--build': {
        const v = value();
        if (v !== 'auto' && v !== 'http' && v !== 'inprocess') throw new ArgsError(`--build is auto, http or inprocess; got "${v}".`);
        args.build = v;
        break;
      }
      case '--build-inflight':
        args.buildInflight = positiveInt(flag, value());
        break;
      case '--gateway-log-level': {
        const v = value();
        if (!v) throw new ArgsError('--gateway-log-level needs a level.');
        args.gatewayLogLevel = v;
        break;
      }
      case '--keep-scratch':
        args.keepScratch = true;
        break;
      default:
        throw new ArgsError(`Unknown option "${raw}". Try --help.`);
    }
  }
  if (args.warmup < 0) args.warmup = Math.min(2, args.duration);
  return args;
}
