// The benchmark's report: markdown tables (printed, and with --write-readme placed in README.md
// between the engine's markers: <!-- bench:start --> and <!-- bench:end --> for SQLite,
// <!-- bench-postgres:start --> and <!-- bench-postgres:end --> for PostgreSQL), and the JSON results.
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import type { BenchArgs } from './args.js';
import type { Dataset } from './dataset.js';
import type { Engine } from './engine.js';
import { PG_POOL_SIZE } from './sessions-store-pg.js';
import { BROWSER_GATEWAY_ENV } from './graphql-browser.js';
import type { Measurement } from './measure.js';
import type { ScenarioResult, Stats } from './scenario-runner.js';
import { PEER_TARGETS, RSS_TARGET_MIB } from './targets.js';
import { commitOf } from './attacks/gateway-build.js';
import { MiB, ROOT } from './processes.js';

export interface Environment {
  node: string;
  engine: Engine['name'];
  /** The engine and its version: `SQLite 3.46.1`, `PostgreSQL 15.4 (Debian 15.4-1)` (select version()). */
  database: string;
  cpu: string;
  cores: number;
  /** The 1-minute load average when the measurement started: other work on the machine skews results. */
  loadBefore: number;
  /** The checkout measured: `3bc696b`, or `working tree on 3bc696b` (README.md, which --write-readme rewrites, aside). */
  commit: string;
  versions: Record<string, string>;
}

function version(pkg: string): string {
  try {
    return (JSON.parse(readFileSync(join(ROOT, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '?';
  }
}

export async function environment(engine: Engine): Promise<Environment> {
  return {
    node: process.version,
    engine: engine.name,
    database: await engine.version(),
    cpu: cpus()[0]?.model.trim() ?? '?',
    cores: cpus().length,
    loadBefore: Math.round(loadavg()[0]! * 100) / 100,
    commit: commitOf(ROOT, ['README.md']) ?? 'not a git checkout',
    versions: Object.fromEntries(
      ['graphql-yoga', '@pothos/core', 'kysely', 'better-sqlite3', 'pg', 'graphql', '@apollo/server', 'fastify', 'mercurius', 'graphql-jit', 'autocannon'].map((p) => [p, version(p)]),
    ),
  };
}

const int = (n: number) => Math.round(n).toLocaleString('en-US');
// autocannon's latencies are whole milliseconds; the insert loop's are not.
const ms = (n: number) => (Number.isInteger(n) || n >= 100 ? int(n) : n >= 1 ? n.toFixed(1) : n.toFixed(2));
const mib = (bytes: number) => `${Math.round(bytes / MiB)} MiB`;

function rate(s: Stats, ingest: boolean): string {
  const failed = s.failures === 0 ? '' : s.failures === s.timeouts ? ` (${s.failures} timed out)` : ` (${s.failures} failed)`;
  return `${int(ingest ? s.rps * 1000 : s.rps)}${failed}`;
}

/**
 * Whether the ratio meets its target. Failures make it invalid, but for a baseline whose only failures are requests
 * that timed out: it served even fewer than counted, so the ratio is a lower bound, and a lower bound can be met.
 */
function met(value: number, target: number, gateway: Stats, baseline: Stats, invalid?: string): string {
  if (invalid || gateway.failures > 0) return 'invalid';
  if (baseline.failures > 0) return baseline.failures === baseline.timeouts && value >= target ? 'yes (a lower bound)' : 'invalid';
  return value >= target ? 'yes' : 'no';
}

function scenarioLabel(s: ScenarioResult): string {
  return s.name === 'ingest' ? 'ingest (events/s)' : s.name;
}

function baselineText(env: Environment): string {
  if (env.engine === 'sqlite') {
    return 'Baseline: node:http + better-sqlite3, a hand-written handler producing the same bytes (checked before measuring) with a plain COUNT and LIMIT/OFFSET; ' +
      'for ingestion, an in-process loop inserting the same batches (events, sessions and per-tool rows; one transaction per batch) into a copy of the schema.';
  }
  return `Baseline: node:http + pg ${env.versions['pg']}, a hand-written handler producing the same bytes (checked before measuring) with a plain COUNT(*) and LIMIT/OFFSET ` +
    `(named prepared statements, a pool of ${PG_POOL_SIZE} connections like the gateway's); the GraphQL peers run the same SQL through it; ` +
    'for ingestion, a loop on one pg connection inserting the same batches (events, sessions and per-tool rows; one transaction per batch, one multi-row statement per table) ' +
    'into a scratch database with a copy of the schema, the gateway into another.';
}

export function markdown(args: BenchArgs, command: string, dataset: Dataset | null, m: Measurement, env: Environment, date: Date): string {
  const lines: string[] = [];
  const meta = dataset?.meta;
  lines.push(`Latest run, ${date.toISOString().slice(0, 16).replace('T', ' ')} UTC, on ${env.commit}:`);
  lines.push('');
  lines.push('```sh');
  lines.push(command);
  lines.push('```');
  lines.push('');
  const data = meta
    ? `${int(meta.sessions)} sessions in one account${meta.noiseSessions ? ` (+${int(meta.noiseSessions)} in noise accounts)` : ''}` +
      `${meta.events ? `, ${int(meta.events)} events` : ''}` +
      `${meta.build ? `, built through ${meta.build.method === 'http' ? 'POST /api/v1/events' : meta.build.method === 'inprocess' ? 'runGuarded(ingestEvents) in-process' : 'POST /api/v1/events, finished in-process'} at ${int(meta.build.eventsPerSecond)} events/s` : ''}`
    : 'no read data set (ingestion only)';
  lines.push(
    `${data}. Node ${env.node}, ${env.database}${env.engine === 'postgres' ? ' on the same machine' : ''}, ${env.cores} × ${env.cpu} (load average ${env.loadBefore} when measuring began). ` +
      `Each server in its own process, autocannon in another; ${args.rounds} round${args.rounds > 1 ? 's' : ''} of ${args.duration} s per server ` +
      `(after ${args.warmup} s of warm-up), order rotating; medians; ${args.connections} connections (ingestion: ${args.ingestConnections}). ` +
      `Gateway: \`trenchcoat serve${env.engine === 'postgres' ? ' --db postgres://…' : ''}\`${args.gatewayLogLevel ? ` with LOG_LEVEL=${args.gatewayLogLevel}` : ' with its default logging (info, one line per request, to /dev/null)'}` +
      `${meta ? `, reading with TRENCHCOAT_CORS_ORIGINS=${BROWSER_GATEWAY_ENV.TRENCHCOAT_CORS_ORIGINS} (graphql-browser's page)` : ''}. ` +
      baselineText(env),
  );
  lines.push('');
  lines.push('| scenario | gateway req/s | p50 ms | p99 ms | baseline req/s | p50 ms | p99 ms | ratio | target | met? |');
  lines.push('|---|--:|--:|--:|--:|--:|--:|--:|--:|:-:|');
  for (const s of m.scenarios) {
    const ingest = s.name === 'ingest';
    const g = s.gateway.median;
    const b = s.baseline.median;
    lines.push(
      `| ${scenarioLabel(s)} | ${rate(g, ingest)} | ${ms(g.p50)} | ${ms(g.p99)} | ${rate(b, ingest)} | ${ms(b.p50)} | ${ms(b.p99)} | ` +
        `${s.ratio.toFixed(2)}× | ≥ ${s.target}× | ${met(s.ratio, s.target, g, b, s.invalid)} |`,
    );
  }
  lines.push('');
  for (const s of m.scenarios) lines.push(`- \`${s.name}\`: ${s.description}.${s.invalid ? ` Invalid: ${s.invalid}.` : ''}`);
  const plain = m.scenarios.find((s) => s.name === 'graphql-day');
  const browser = m.scenarios.find((s) => s.name === 'graphql-browser');
  if (plain && browser) {
    lines.push(`- The browser's request (graphql-browser) against the plain one (graphql-day), the gateway's req/s in this run: ${(browser.gateway.median.rps / plain.gateway.median.rps).toFixed(2)}×.`);
  }
  if (m.scenarios.some((s) => s.name === 'ingest')) {
    lines.push('- Ingestion latencies are per 1000-event batch: the gateway\'s per request (with its connections in flight), the loop\'s per transaction.');
  }
  const ingestRow = m.scenarios.find((s) => s.name === 'ingest');
  const otlp = ingestRow?.peers.find((p) => p.name === 'otlp');
  if (ingestRow && otlp) {
    const g = ingestRow.gateway.median;
    lines.push('');
    lines.push('Ingestion through Claude Code\'s OTLP export (`POST /v1/logs`, protobuf, same gateway and connections; each export stores 1,000 items: 700 events, 200 model requests, 100 failed requests, in one session):');
    lines.push('');
    lines.push('| path | items/s | p50 ms | p99 ms | ÷ events endpoint |');
    lines.push('|---|--:|--:|--:|--:|');
    lines.push(`| \`POST /api/v1/events\` (1,000-event batches) | ${rate(g, true)} | ${ms(g.p50)} | ${ms(g.p99)} | |`);
    lines.push(`| \`POST /v1/logs\` (OTLP exports) | ${rate(otlp.median, true)} | ${ms(otlp.median.p50)} | ${ms(otlp.median.p99)} | ${(otlp.median.rps / g.rps).toFixed(2)}× |`);
  }
  const graphql = m.scenarios.find((s) => s.name === 'graphql-day');
  if (graphql && graphql.peers.length > 0) {
    lines.push('');
    lines.push('GraphQL peers, same query (`sessions(limit: 50, startDate, endDate) { total nodes { … } }`), same SQL, same key check:');
    lines.push('');
    lines.push('| server | req/s | p50 ms | p99 ms | gateway ÷ server | target | met? |');
    lines.push('|---|--:|--:|--:|--:|--:|:-:|');
    const g = graphql.gateway.median;
    lines.push(`| gateway (graphql-yoga ${env.versions['graphql-yoga']} + Pothos ${env.versions['@pothos/core']}) | ${rate(g, false)} | ${ms(g.p50)} | ${ms(g.p99)} | | | |`);
    for (const p of graphql.peers) {
      const label = p.name === 'apollo'
        ? `Apollo Server ${env.versions['@apollo/server']} (standalone)`
        : `Fastify ${env.versions['fastify']} + Mercurius ${env.versions['mercurius']} (graphql-jit ${env.versions['graphql-jit']})`;
      const target = PEER_TARGETS[p.name as keyof typeof PEER_TARGETS];
      const ratio = g.rps / p.median.rps;
      lines.push(`| ${label} | ${rate(p.median, false)} | ${ms(p.median.p50)} | ${ms(p.median.p99)} | ${ratio.toFixed(2)}× | ≥ ${target}× | ${met(ratio, target, g, p.median)} |`);
    }
  }
  lines.push('');
  const rss = [
    m.peakRss.read === null ? null : `${mib(m.peakRss.read)} serving reads`,
    m.peakRss.ingest === null ? null : `${mib(m.peakRss.ingest)} ingesting`,
  ].filter(Boolean);
  const peak = Math.max(m.peakRss.read ?? 0, m.peakRss.ingest ?? 0);
  const workers = m.peakRss.workers;
  const parts = [
    rss.length > 0 ? `${rss.join(', ')}; target ≤ ${RSS_TARGET_MIB} MiB: ${peak / MiB <= RSS_TARGET_MIB ? 'met' : 'not met'}.` : null,
    workers
      ? `${rss.length > 0 ? 'With' : 'with'} \`--workers ${workers.workerCount}\` (the workers scenario), the sum over its ${workers.processes} processes (the primary and its workers): ` +
        `${mib(workers.multi)}; with \`--workers 1\`: ${mib(workers.single)}.`
      : null,
  ].filter(Boolean);
  lines.push(
    `Gateway peak RSS under load (VmRSS sampled every 100 ms${env.engine === 'postgres' ? ', the gateway\'s processes only, not the PostgreSQL server\'s' : ''}): ${parts.join(' ')}`,
  );
  return lines.join('\n');
}

/** How to produce the PostgreSQL block, said once above it when --write-readme first adds it. */
const POSTGRES_INTRO =
  'On PostgreSQL, the same scenarios with the data set in a PostgreSQL database (created and built if missing) and the baseline on node:http + pg: ' +
  '`npm run bench -- --db postgres://USER@HOST:PORT/tc_bench_100k --sessions 100000`.';

/**
 * Replaces this engine's block in README.md (and nothing else). A missing SQLite block is added
 * under a new `## Performance`; a missing PostgreSQL block goes right after the SQLite one.
 */
export function writeReadme(block: string, engine: Engine, path = join(ROOT, 'README.md')): void {
  const readme = readFileSync(path, 'utf8');
  const { start, end } = engine.readme;
  const content = `${start}\n${block}\n${end}`;
  const i = readme.indexOf(start);
  const j = readme.indexOf(end);
  let next: string;
  if (i >= 0 && j > i) next = readme.slice(0, i) + content + readme.slice(j + end.length);
  else if (engine.name === 'postgres' && readme.includes('<!-- bench:end -->')) {
    const at = readme.indexOf('<!-- bench:end -->') + '<!-- bench:end -->'.length;
    next = `${readme.slice(0, at)}\n\n${POSTGRES_INTRO}\n\n${content}${readme.slice(at)}`;
  } else if (engine.name === 'postgres') next = `${readme.replace(/\s*$/, '')}\n\n## Performance on PostgreSQL\n\n${POSTGRES_INTRO}\n\n${content}\n`;
  else next = `${readme.replace(/\s*$/, '')}\n\n## Performance\n\n${content}\n`;
  writeFileSync(path, next);
}

export function jsonResults(args: BenchArgs, command: string, dataset: Dataset | null, m: Measurement, env: Environment, date: Date) {
  const meta = dataset ? { ...dataset.meta, readKey: undefined, path: dataset.label } : null;
  return { date: date.toISOString(), command, args, environment: env, dataset: meta, ...m };
}
