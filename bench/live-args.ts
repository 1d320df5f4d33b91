// Command-line flags of the live-at-scale bench (bench/live-scale.ts).
import { FlagError, FlagReader } from './flag-reader.js';
import { databaseName, isPostgresUrl } from './pg-admin.js';

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

export function parseLiveArgs(argv: readonly string[]): LiveArgs | 'help' {
  const args: LiveArgs = {
    subscribers: 1000, rate: 100, sessions: 50, duration: 30, batch: 10, keys: 20, clients: 2, watch: 'account', selection: 'dashboard', transports: 'both',
    db: null, workers: null, json: null, cpuProf: null, keepScratch: false,
  };
  const flags = new FlagReader(argv);
  for (let flag = flags.next(); flag !== null; flag = flags.next()) {
    switch (flag) {
      case '--help':
      case '-h':
        return 'help';
      case '--subscribers':
        args.subscribers = flags.integer(2);
        break;
      case '--rate':
        args.rate = flags.number(true);
        break;
      case '--sessions':
        args.sessions = flags.integer(1);
        break;
      case '--duration':
        args.duration = flags.number(true);
        break;
      case '--batch':
        args.batch = flags.integer(1);
        break;
      case '--keys':
        args.keys = flags.integer(1);
        break;
      case '--clients':
        args.clients = flags.integer(1);
        break;
      case '--watch':
        args.watch = flags.choice(WATCH_MODES);
        break;
      case '--selection':
        args.selection = flags.choice(SELECTIONS);
        break;
      case '--transports':
        args.transports = flags.choice(TRANSPORT_MIXES);
        break;
      case '--db': {
        const db = flags.database();
        if (isPostgresUrl(db) && !databaseName(db).includes('scratch')) {
          throw new FlagError(`--db: the database is dropped before and after the run, so its name must contain "scratch"; got "${databaseName(db)}".`);
        }
        args.db = db;
        break;
      }
      case '--workers':
        args.workers = flags.integer(1);
        break;
      case '--cpu-prof':
        args.cpuProf = flags.value();
        break;
      case '--json':
        args.json = flags.value();
        break;
      case '--keep-scratch':
        args.keepScratch = true;
        break;
      default:
        throw flags.unknown();
    }
  }
  if (args.keys > args.subscribers) args.keys = args.subscribers;
  if (args.clients > args.subscribers) args.clients = args.subscribers;
  return args;
}
