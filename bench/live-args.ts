// Command-line flags of the live-at-scale bench (bench/live-scale.ts).
import { databaseName, isPostgresUrl, redactUrl } from './pg-admin.js';

export const WATCH_MODES = ['account', 'session'] as const;
export type WatchMode = (typeof WATCH_MODES)[number];

export const SELECTIONS = ['dashboard', 'counts'] as const;
export type Selection = (typeof SELECTIONS)[number];

export const TRANSPORT_MIXES = ['both', 'sse', 'ws'] as const;
export type TransportMix = (typeof TRANSPORT_MIXES)[number];

export interface LiveArgs {
  subscribers: number;
  rate: number;
  sessions: number;
  duration: number;
  batch: number;
  keys: number;
  clients: number;
  watch: WatchMode;
  selection: Selection;
  transports: TransportMix;
  db: string | null;
  workers: number | null;
  json: string | null;
  cpuProf: string | null;
  keepScratch: boolean;
}

export const LIVE_USAGE = `Usage: node --import tsx bench/live-scale.ts [options]

  --subscribers N   live subscriptions (default 1000)
  --rate R          events ingested per second (default 100)
  --sessions S      sessions the events are spread over, at random (default 50)
  --duration D      seconds measured (default 30)
  --batch B         events per POST /api/v1/events (default 10: R/B batches a second)
  --keys K          read keys the subscriptions share, all of one account (default 20); the per-key cap is
                    raised to ceil(N/K) when that is above the gateway's default (10)
  --clients C       client processes the subscriptions are spread over (default 2)
  --watch account|session
                    account (default): every subscriber watches all the account's sessions, as the dashboard
                    does (sessionUpdated without arguments); session: subscriber i watches session i mod S only
  --selection dashboard|counts
                    the fields each update carries: dashboard (default) the dashboard's live document (id startedAt
                    endedAt durationMs eventCount toolInvocations usage { totalTokens costUsd }); counts the README's
                    example (id eventCount toolInvocations), without the usage field's reads
  --transports both|sse|ws
                    both (default): half the subscriptions over SSE, half over WebSocket; sse or ws: all over one
  --db PATH|URL     the scratch database, dropped before and after the run: a SQLite file (default
                    bench/.data/scratch/live-scale.db; an existing file must lie in bench/.data/scratch/), or a
                    postgres:// URL whose database name contains "scratch" (created through the server's
                    postgres database)
  --workers N       passed to \`trenchcoat serve --workers N\` (omitted by default)
  --cpu-prof DIR    profile the gateway's processes (NODE_OPTIONS=--cpu-prof), .cpuprofile files into DIR
  --json PATH       also write the results as JSON
  --keep-scratch    keep the scratch database
  --help`;

export class LiveArgsError extends Error {}

function integer(flag: string, value: string | undefined, min: number): number {
  if (value === undefined || !/^[0-9]+$/.test(value) || Number(value) < min) {
    throw new LiveArgsError(`${flag} needs an integer of at least ${min}; got ${value === undefined ? 'nothing' : `"${value}"`}.`);
  }
  return Number(value);
}

function positive(flag: string, value: string | undefined): number {
  if (value === undefined || !/^[0-9]+(\.[0-9]+)?$/.test(value) || Number(value) <= 0) {
    throw new LiveArgsError(`${flag} needs a number above 0; got ${value === undefined ? 'nothing' : `"${value}"`}.`);
  }
  return Number(value);
}

function text(flag: string, value: string | undefined): string {
  if (!value) throw new LiveArgsError(`${flag} needs a value.`);
  return value;
}

export function parseLiveArgs(argv: readonly string[]): LiveArgs | 'help' {
  const args: LiveArgs = {
    subscribers: 1000, rate: 100, sessions: 50, duration: 30, batch: 10, keys: 20, clients: 2, watch: 'account', selection: 'dashboard', transports: 'both',
    db: null, workers: null, json: null, cpuProf: null, keepScratch: false,
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
      case '--subscribers':
        args.subscribers = integer(flag, value(), 2);
        break;
      case '--rate':
        args.rate = positive(flag, value());
        break;
      case '--sessions':
        args.sessions = integer(flag, value(), 1);
        break;
      case '--duration':
        args.duration = positive(flag, value());
        break;
      case '--batch':
        args.batch = integer(flag, value(), 1);
        break;
      case '--keys':
        args.keys = integer(flag, value(), 1);
        break;
      case '--clients':
        args.clients = integer(flag, value(), 1);
        break;
      case '--watch': {
        const v = value();
        if (!(WATCH_MODES as readonly (string | undefined)[]).includes(v)) throw new LiveArgsError(`--watch is account or session; got "${v}".`);
        args.watch = v as WatchMode;
        break;
      }
      case '--selection': {
        const v = value();
        if (!(SELECTIONS as readonly (string | undefined)[]).includes(v)) throw new LiveArgsError(`--selection is dashboard or counts; got "${v}".`);
        args.selection = v as Selection;
        break;
      }
      case '--transports': {
        const v = value();
        if (!(TRANSPORT_MIXES as readonly (string | undefined)[]).includes(v)) throw new LiveArgsError(`--transports is both, sse or ws; got "${v}".`);
        args.transports = v as TransportMix;
        break;
      }
      case '--db': {
        const v = text(flag, value());
        if (isPostgresUrl(v)) {
          let name: string;
          try {
            name = databaseName(v);
          } catch (error) {
            throw new LiveArgsError(`--db ${redactUrl(v)}: ${(error as Error).message}.`);
          }
          if (!name.includes('scratch')) throw new LiveArgsError(`--db: the database is dropped before and after the run, so its name must contain "scratch"; got "${name}".`);
        }
        args.db = v;
        break;
      }
      case '--workers':
        args.workers = integer(flag, value(), 1);
        break;
      case '--cpu-prof':
        args.cpuProf = text(flag, value());
        break;
      case '--json':
        args.json = text(flag, value());
        break;
      case '--keep-scratch':
        args.keepScratch = true;
        break;
      default:
        throw new LiveArgsError(`Unknown option "${raw}". Try --help.`);
    }
  }
  if (args.keys > args.subscribers) args.keys = args.subscribers;
  if (args.clients > args.subscribers) args.clients = args.subscribers;
  return args;
}
