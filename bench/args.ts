// Command-line flags of `npm run bench` (bench/run.ts).
import { FlagReader } from './flag-reader.js';
import { targetText } from './targets.js';

export const SCENARIOS = ['rest-day', 'rest-month', 'rest-first-page', 'rest-deep-page', 'graphql-day', 'graphql-browser', 'workers', 'ingest'] as const;
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
  --only a,b              scenarios (default all), each a ratio gateway ÷ baseline with its target:
                            rest-day         GET /api/v1/sessions, one day (${targetText('rest-day')}); baseline: node:http, same bytes
                            rest-month       the same, one month (${targetText('rest-month')})
                            rest-first-page  the first page, unfiltered (${targetText('rest-first-page')})
                            rest-deep-page   a page at 90% of the account's sessions (${targetText('rest-deep-page')})
                            graphql-day      the one-day page as a GraphQL query, a plain JSON POST, against the
                                             baseline's REST one day (${targetText('graphql-day')}); Apollo Server and Mercurius as peers
                            graphql-browser  the same query as Chromium sends it from a page: Origin
                                             http://localhost:5173 (set as the gateway's TRENCHCOAT_CORS_ORIGINS),
                                             Accept application/graphql-response+json, Accept-Encoding gzip, deflate,
                                             br; checked once decoded; against the REST one day (${targetText('graphql-browser')})
                            workers          REST one day from \`trenchcoat serve --workers 2\` against the gateway
                                             with --workers 1 (${targetText('workers')}; RSS summed over each one's processes)
                            ingest           fresh 1000-event batches (and OTLP exports) on a new database, against
                                             an insert loop (${targetText('ingest')})
  --db PATH|URL           where the data set lives (built there if missing), which also picks the engine of the run:
                            PATH  a SQLite file (default bench/.data/sessions-N.db); the baseline is node:http +
                                  better-sqlite3, the ingestion scratch files go to bench/.data/scratch/
                            postgres://USER[:PASSWORD]@HOST:PORT/DBNAME  a PostgreSQL database, e.g.
                                  postgres://postgres@127.0.0.1:5432/tc_bench_100k: created if missing (through the
                                  server's postgres database), built as DBNAME_partial and renamed when complete,
                                  reused when it holds the finished set (table bench_manifest); the gateway, the
                                  baseline (node:http + pg) and the peers all read it; the ingestion scenario uses
                                  scratch databases DBNAME_ingest_gateway and DBNAME_ingest_loop on that server
  --build auto|http|inprocess
                          how a missing data set is loaded: http POSTs to /api/v1/events; inprocess calls
                          runGuarded(ingestEvents); auto (default) starts over HTTP and finishes in-process
                          when the whole build would take over 15 minutes
  --build-inflight K      requests in flight while building over HTTP (default 4)
  --gateway-log-level L   LOG_LEVEL for the gateway (default: unset, the gateway's own default, info)
  --json [PATH]           also write the results as JSON (default bench/.data/results.json)
  --write-readme          replace the engine's block in README.md: between <!-- bench:start --> and
                          <!-- bench:end --> for SQLite, <!-- bench-postgres:start --> and <!-- bench-postgres:end -->
                          for PostgreSQL; the other engine's block is left as it is
  --keep-scratch          keep the ingestion scenario's scratch databases (files, or PostgreSQL databases)
  --help`;

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
  const flags = new FlagReader(argv);
  for (let flag = flags.next(); flag !== null; flag = flags.next()) {
    switch (flag) {
      case '--help':
      case '-h':
        return 'help';
      case '--sessions':
        args.sessions = flags.integer(100);
        break;
      case '--duration':
        args.duration = flags.number(true);
        break;
      case '--rounds':
        args.rounds = flags.integer(1);
        break;
      case '--connections':
        args.connections = flags.integer(1);
        break;
      case '--ingest-connections':
        args.ingestConnections = flags.integer(1);
        break;
      case '--warmup':
        args.warmup = flags.number(false);
        break;
      case '--only': {
        const list = flags.list(SCENARIOS);
        args.only = SCENARIOS.filter((s) => list.includes(s));
        break;
      }
      case '--db':
        args.db = flags.database();
        break;
      case '--json':
        args.json = flags.optionalValue() ?? 'bench/.data/results.json';
        break;
      case '--write-readme':
        args.writeReadme = true;
        break;
      case '--build':
        args.build = flags.choice(['auto', 'http', 'inprocess'] as const);
        break;
      case '--build-inflight':
        args.buildInflight = flags.integer(1);
        break;
      case '--gateway-log-level':
        args.gatewayLogLevel = flags.value();
        break;
      case '--keep-scratch':
        args.keepScratch = true;
        break;
      default:
        throw flags.unknown();
    }
  }
  if (args.warmup < 0) args.warmup = Math.min(2, args.duration);
  return args;
}
