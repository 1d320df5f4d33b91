// The runner: every server in its own child process, autocannon in this one. For each scenario,
// R rounds; in each round every server is warmed up and then measured, the order rotating between
// rounds. Medians over rounds; the gateway's RSS sampled every 100 ms from /proc.
import { spawn } from 'node:child_process';
import autocannon from 'autocannon';
import type { BenchArgs, ScenarioName } from './args.js';
import { DAY_WINDOW, MONTH_WINDOW, type Dataset } from './dataset.js';
import type { Engine } from './engine.js';
import { FreshBatches, INGEST_BATCH_SIZE } from './ingest-batches.js';
import { FreshExports, OTLP_EXPORT_ITEMS } from './otlp-exports.js';
import { createKey, MiB, ROOT, RssSampler, startGateway, startServer, track, tsxArgs, type ServerProcess } from './processes.js';
import { median } from './median.js';

export const TARGETS: Record<ScenarioName, number> = {
  'rest-day': 0.8,
  'rest-month': 0.8,
  'rest-first-page': 3,
  'rest-deep-page': 3,
  'graphql-day': 0.6,
  ingest: 0.5,
};
export const PEER_TARGETS = { apollo: 2, mercurius: 1 } as const;
export const RSS_TARGET_MIB = 250;

export interface Stats {
  /** Requests per second (ingestion: batches of 1000 events per second). */
  rps: number;
  p50: number;
  p99: number;
  /** Responses that were not 2xx, errors, timeouts and bodies that failed a check. */
  failures: number;
}

export interface TargetResult {
  name: string;
  rounds: Stats[];
  median: Stats;
}

export interface ScenarioResult {
  name: ScenarioName;
  description: string;
  gateway: TargetResult;
  baseline: TargetResult;
  peers: TargetResult[];
  ratio: number;
  target: number;
  /** The gateway process's peak RSS (bytes) during this scenario. */
  gatewayPeakRss: number;
}

export interface Measurement {
  scenarios: ScenarioResult[];
  /** Peak VmRSS of the gateway processes under load, bytes (the read gateway; the ingestion one). */
  peakRss: { read: number | null; ingest: number | null };
  deepOffset: number;
}

function summarize(name: string, rounds: Stats[]): TargetResult {
  return {
    name,
    rounds,
    median: {
      rps: median(rounds.map((r) => r.rps)),
      p50: median(rounds.map((r) => r.p50)),
      p99: median(rounds.map((r) => r.p99)),
      failures: rounds.reduce((n, r) => n + r.failures, 0),
    },
  };
}

interface HttpTarget {
  name: string;
  kind: 'http';
  options: () => autocannon.Options;
  /** Counts bodies that failed a check (ingestion). */
  bad?: { count: number };
}

interface LoopTarget {
  name: string;
  kind: 'loop';
  run: (warmup: number, seconds: number, round: number) => Promise<Stats>;
}

type Target = HttpTarget | LoopTarget;

async function cannon(options: autocannon.Options): Promise<autocannon.Result> {
  return autocannon(options);
}

async function measureHttp(target: HttpTarget, warmup: number, seconds: number): Promise<Stats> {
  if (warmup > 0) await cannon({ ...target.options(), duration: warmup });
  const before = target.bad?.count ?? 0;
  const r = await cannon({ ...target.options(), duration: seconds });
  const bad = (target.bad?.count ?? 0) - before;
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, failures: r.non2xx + r.errors + r.timeouts + bad };
}

function runLoop(script: string, db: string, warmup: number, seconds: number, tag: number): Promise<Stats> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      tsxArgs(script, '--db', db, '--seconds', String(seconds), '--warmup', String(warmup), '--tag', String(tag)),
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    track(child);
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`insert loop failed (${code}): ${err}`));
      const r = JSON.parse(out.trim().split('\n').pop()!) as { batchesPerSecond: number; p50: number; p99: number };
      resolve({ rps: r.batchesPerSecond, p50: r.p50, p99: r.p99, failures: 0 });
    });
  });
}

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

function fmtStats(s: Stats, perRequest = 1): string {
  const rate = s.rps * perRequest;
  return `${Math.round(rate).toLocaleString('en-US')}${perRequest > 1 ? ' events/s' : ' req/s'}, p50 ${s.p50.toFixed(1)} ms, p99 ${s.p99.toFixed(1)} ms${s.failures ? `, ${s.failures} FAILED` : ''}`;
}

async function runScenario(
  name: ScenarioName, targets: Target[], args: BenchArgs, sampler: RssSampler | null, perRequest = 1,
): Promise<Map<string, TargetResult>> {
  const rounds = new Map<string, Stats[]>(targets.map((t) => [t.name, []]));
  sampler?.window();
  for (let round = 0; round < args.rounds; round++) {
    // Rotate the order each round so that no server always goes first (or right after another).
    const order = targets.map((_, i) => targets[(i + round) % targets.length]!);
    for (const target of order) {
      const stats = target.kind === 'http'
        ? await measureHttp(target, args.warmup, args.duration)
        : await target.run(args.warmup, args.duration, round);
      rounds.get(target.name)!.push(stats);
      log(`[${name}] round ${round + 1}/${args.rounds} ${target.name.padEnd(9)} ${fmtStats(stats, perRequest)}`);
    }
  }
  return new Map([...rounds].map(([n, r]) => [n, summarize(n, r)]));
}

function restPath(params: Record<string, string | number>): string {
  return `/api/v1/sessions?${new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)])).toString()}`;
}

const GRAPHQL_QUERY =
  `{ sessions(limit: 50, startDate: "${DAY_WINDOW.start}", endDate: "${DAY_WINDOW.end}") ` +
  '{ total nodes { id startedAt endedAt durationMs eventCount toolInvocations } } }';

export interface ReadServers {
  gateway: ServerProcess;
  baseline: ServerProcess;
  apollo: ServerProcess | null;
  mercurius: ServerProcess | null;
}

export function readScenarioPaths(dataset: Dataset) {
  const deepOffset = Math.floor(dataset.meta.sessions * 0.9);
  return {
    deepOffset,
    rest: {
      'rest-day': { path: restPath({ start_date: DAY_WINDOW.start, end_date: DAY_WINDOW.end, limit: 50 }), description: 'REST one day' },
      'rest-month': { path: restPath({ start_date: MONTH_WINDOW.start, end_date: MONTH_WINDOW.end, limit: 200 }), description: 'REST one month' },
      'rest-first-page': { path: restPath({ limit: 50 }), description: 'REST first page, unfiltered' },
      'rest-deep-page': { path: restPath({ limit: 50, offset: deepOffset }), description: 'REST deep page (offset at 90% of the account\'s sessions)' },
    } as Record<Exclude<ScenarioName, 'graphql-day' | 'ingest'>, { path: string; description: string }>,
    graphqlBody: JSON.stringify({ query: GRAPHQL_QUERY }),
    graphqlQuery: GRAPHQL_QUERY,
  };
}

// ---------------------------------------------------------------------------------------------
// Verification: identical REST bytes, identical GraphQL data, before anything is measured.

export class VerificationError extends Error {}

function firstDifference(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}

export function describeDiff(labelA: string, a: string, labelB: string, b: string): string {
  const at = firstDifference(a, b);
  const lines = [`bodies differ at character ${at} (lengths ${a.length} and ${b.length}):`];
  const from = Math.max(0, at - 160);
  lines.push(`  ${labelA}: …${a.slice(from, at + 160)}…`, `  ${labelB}: …${b.slice(from, at + 160)}…`);
  try {
    const sa = (JSON.parse(a) as { data?: { sessions?: unknown[] } }).data?.sessions;
    const sb = (JSON.parse(b) as { data?: { sessions?: unknown[] } }).data?.sessions;
    if (Array.isArray(sa) && Array.isArray(sb)) {
      const i = sa.findIndex((s, k) => JSON.stringify(s) !== JSON.stringify(sb[k]));
      if (i >= 0) lines.push(`  first differing session [${i}]:`, `    ${labelA}: ${JSON.stringify(sa[i])}`, `    ${labelB}: ${JSON.stringify(sb[i])}`);
    }
  } catch {
    // not JSON: the character diff above says enough
  }
  return lines.join('\n');
}

async function fetchText(url: string, init: RequestInit): Promise<{ status: number; text: string }> {
  const res = await fetch(url, init);
  return { status: res.status, text: await res.text() };
}

export async function verifyReadServers(servers: ReadServers, key: string, paths: ReturnType<typeof readScenarioPaths>, only: ScenarioName[]): Promise<void> {
  const headers = { 'x-api-key': key };
  for (const [name, { path }] of Object.entries(paths.rest)) {
    if (!only.includes(name as ScenarioName) && !(name === 'rest-day' && only.includes('graphql-day'))) continue;
    const [g, b] = await Promise.all([
      fetchText(servers.gateway.url + path, { headers }),
      fetchText(servers.baseline.url + path, { headers }),
    ]);
    if (g.status !== 200 || b.status !== 200) {
      throw new VerificationError(`${name}: GET ${path} answered ${g.status} (gateway) and ${b.status} (baseline):\n  gateway: ${g.text.slice(0, 400)}\n  baseline: ${b.text.slice(0, 400)}`);
    }
    if (g.text !== b.text) throw new VerificationError(`${name}: GET ${path}: the gateway's and the baseline's ${describeDiff('gateway', g.text, 'baseline', b.text)}`);
    const count = (JSON.parse(g.text) as { data: { sessions: unknown[]; total: number } }).data;
    log(`[verify] ${name}: identical bodies (${g.text.length.toLocaleString('en-US')} bytes, ${count.sessions.length} sessions of ${count.total.toLocaleString('en-US')})`);
  }
  if (!only.includes('graphql-day')) return;
  const post = { method: 'POST', headers: { ...headers, 'content-type': 'application/json', accept: 'application/json' }, body: paths.graphqlBody };
  const answers: [string, { status: number; text: string }][] = [['gateway', await fetchText(`${servers.gateway.url}/graphql`, post)]];
  if (servers.apollo) answers.push(['apollo', await fetchText(`${servers.apollo.url}/graphql`, post)]);
  if (servers.mercurius) answers.push(['mercurius', await fetchText(`${servers.mercurius.url}/graphql`, post)]);
  const datas = answers.map(([name, a]) => {
    const body = JSON.parse(a.text) as { data?: unknown; errors?: unknown };
    if (a.status !== 200 || body.errors || !body.data) throw new VerificationError(`graphql-day: ${name} answered ${a.status}: ${a.text.slice(0, 500)}`);
    return [name, JSON.stringify(body.data)] as const;
  });
  for (const [name, data] of datas.slice(1)) {
    if (data !== datas[0]![1]) throw new VerificationError(`graphql-day: ${name}'s data differs from the gateway's: ${describeDiff('gateway', datas[0]![1], name, data)}`);
  }
  // The GraphQL page must also be the REST page the baseline measures against.
  const rest = await fetchText(servers.baseline.url + paths.rest['rest-day'].path, { headers });
  const restData = (JSON.parse(rest.text) as { data: { total: number; sessions: Record<string, unknown>[] } }).data;
  const asGraphql = JSON.stringify({
    sessions: {
      total: restData.total,
      nodes: restData.sessions.map((s) => ({
        id: s['id'], startedAt: s['started_at'], endedAt: s['ended_at'], durationMs: s['duration_ms'], eventCount: s['event_count'], toolInvocations: s['tool_invocations'],
      })),
    },
  });
  if (asGraphql !== datas[0]![1]) throw new VerificationError(`graphql-day: the gateway's GraphQL data differs from the REST day page: ${describeDiff('graphql', datas[0]![1], 'rest', asGraphql)}`);
  log(`[verify] graphql-day: ${datas.map(([n]) => n).join(', ')} return the same data (${datas[0]![1].length.toLocaleString('en-US')} bytes), matching the REST day page`);
}

// ---------------------------------------------------------------------------------------------

export async function measureReads(
  args: BenchArgs, dataset: Dataset, servers: ReadServers, sampler: RssSampler,
): Promise<ScenarioResult[]> {
  const key = dataset.meta.readKey;
  const paths = readScenarioPaths(dataset);
  const headers = { 'x-api-key': key };
  const results: ScenarioResult[] = [];
  const get = (name: string, server: ServerProcess, path: string): HttpTarget => ({
    name, kind: 'http', options: () => ({ url: server.url + path, connections: args.connections, headers }),
  });
  for (const [name, { path, description }] of Object.entries(paths.rest) as [ScenarioName, { path: string; description: string }][]) {
    if (!args.only.includes(name)) continue;
    const r = await runScenario(name, [get('gateway', servers.gateway, path), get('baseline', servers.baseline, path)], args, sampler);
    const gateway = r.get('gateway')!;
    const baseline = r.get('baseline')!;
    results.push({
      name, description: `${description}, \`GET ${path}\``, gateway, baseline, peers: [], ratio: gateway.median.rps / baseline.median.rps, target: TARGETS[name], gatewayPeakRss: sampler.window(),
    });
  }
  if (args.only.includes('graphql-day')) {
    const post = (name: string, server: ServerProcess, extra: Record<string, string> = { accept: 'application/json' }): HttpTarget => ({
      name,
      kind: 'http',
      options: () => ({
        url: `${server.url}/graphql`, connections: args.connections, method: 'POST', body: paths.graphqlBody,
        headers: { ...headers, 'content-type': 'application/json', ...extra },
      }),
    });
    // What a browser sends: an Origin, and the GraphQL over HTTP media type.
    const browser = { origin: 'http://localhost:5173', accept: 'application/graphql-response+json, application/json;q=0.9' };
    const targets: Target[] = [post('gateway', servers.gateway), post('gateway-browser', servers.gateway, browser), get('baseline', servers.baseline, paths.rest['rest-day'].path)];
    if (servers.apollo) targets.push(post('apollo', servers.apollo));
    if (servers.mercurius) targets.push(post('mercurius', servers.mercurius));
    const r = await runScenario('graphql-day', targets, args, sampler);
    const gateway = r.get('gateway')!;
    const baseline = r.get('baseline')!;
    const fromBrowser = r.get('gateway-browser')!;
    log(`[graphql-day] browser-shaped (Origin, application/graphql-response+json): ${Math.round(fromBrowser.median.rps)} req/s, ${(fromBrowser.median.rps / gateway.median.rps).toFixed(2)}× the plain JSON request's ${Math.round(gateway.median.rps)} req/s`);
    results.push({
      name: 'graphql-day',
      description: `GraphQL one day, \`POST /graphql\` \`${GRAPHQL_QUERY}\`; the baseline serves its REST one day`,
      gateway,
      baseline,
      peers: [...r.values()].filter((t) => t.name === 'apollo' || t.name === 'mercurius'),
      ratio: gateway.median.rps / baseline.median.rps,
      target: TARGETS['graphql-day'],
      gatewayPeakRss: sampler.window(),
    });
  }
  return results;
}

interface IngestTargetSpec {
  name: string;
  url: string;
  key: string;
  path: string;
  contentType: string;
  connections: number;
  bad: { count: number };
  nextBody: () => string | Buffer;
  /** Whether an answer says the body was stored whole. */
  accepted: (status: number, body: string) => boolean;
  /** What one body is, for the log line. */
  what: string;
}

/** An ingestion route under load with a fresh body per request, after one body was checked to be stored whole. */
async function ingestTarget(spec: IngestTargetSpec): Promise<HttpTarget> {
  const headers = { 'x-api-key': spec.key, 'content-type': spec.contentType };
  const first = spec.nextBody();
  const probe = await fetchText(`${spec.url}${spec.path}`, { method: 'POST', headers, body: typeof first === 'string' ? first : new Uint8Array(first) });
  if (!spec.accepted(probe.status, probe.text)) throw new VerificationError(`ingest: ${spec.path} answered ${probe.status}: ${probe.text.slice(0, 400)}`);
  log(`[verify] ingest: ${spec.what} is accepted whole (${spec.path})`);
  return {
    name: spec.name,
    kind: 'http',
    bad: spec.bad,
    options: () => ({
      url: spec.url,
      connections: spec.connections,
      requests: [{
        method: 'POST',
        path: spec.path,
        headers,
        setupRequest: (req) => ({ ...req, body: spec.nextBody() }),
        onResponse: (status, body) => {
          if (!spec.accepted(status, body)) spec.bad.count++;
        },
      }],
    }),
  };
}

/**
 * Ingestion: a gateway process on a scratch database (migrated by the gateway itself) taking fresh
 * 1000-event batches over HTTP, against the insert loop on a scratch copy of that schema (both SQLite
 * files, or both PostgreSQL databases on the --db server).
 */
export async function measureIngest(args: BenchArgs, engine: Engine): Promise<{ result: ScenarioResult; peakRss: number }> {
  const scratch = engine.ingestScratch();
  await scratch.prepare();
  let gateway: ServerProcess | null = null;
  let sampler: RssSampler | null = null;
  try {
    const key = await createKey(scratch.gateway, 'bench-ingest', 'write:events');
    await scratch.copySchema();
    gateway = await startGateway(scratch.gateway, args.gatewayLogLevel, 'gateway (ingest)');
    sampler = new RssSampler(gateway.pid);
    const batches = new FreshBatches(0xa0);
    const bad = { count: 0 };
    const url = gateway.url;
    const expected = `"accepted":${INGEST_BATCH_SIZE},"rejected":0,"duplicates":0`;
    const http = await ingestTarget({
      name: 'gateway', url, key, path: '/api/v1/events', contentType: 'application/json', bad, connections: args.ingestConnections,
      nextBody: () => batches.nextBody(),
      accepted: (status, body) => status === 200 && body.includes(expected),
      what: 'a fresh 1000-event batch',
    });
    // Claude Code's own export into the same gateway: each export stores as many items as a batch holds events.
    const exports = new FreshExports(0xc0);
    const otlp = await ingestTarget({
      name: 'otlp', url, key, path: '/v1/logs', contentType: 'application/x-protobuf', bad, connections: args.ingestConnections,
      nextBody: () => exports.nextBody(),
      // OTLP's empty protobuf answer: nothing rejected.
      accepted: (status, body) => status === 200 && body.length === 0,
      what: `a fresh OTLP export of ${OTLP_EXPORT_ITEMS} items`,
    });
    const loop: LoopTarget = {
      name: 'baseline', kind: 'loop', run: (warmup, seconds, round) => runLoop(engine.insertScript, scratch.loop, warmup, seconds, 0xb0 + round),
    };
    const r = await runScenario('ingest', [http, otlp, loop], args, sampler, INGEST_BATCH_SIZE);
    const g = r.get('gateway')!;
    const b = r.get('baseline')!;
    const peak = sampler.window();
    const overall = sampler.peak;
    return {
      result: {
        name: 'ingest',
        description: `ingestion of fresh sessions in 1000-event batches: the gateway over HTTP (\`POST /api/v1/events\`, ${args.ingestConnections} connections) on a new database, the ${engine.name === 'sqlite' ? 'in-process insert loop' : 'insert loop (one pg connection)'} on a copy of its schema`,
        gateway: g, baseline: b, peers: [r.get('otlp')!], ratio: g.median.rps / b.median.rps, target: TARGETS.ingest, gatewayPeakRss: peak,
      },
      peakRss: Math.max(overall, peak),
    };
  } finally {
    sampler?.stop();
    await gateway?.stop();
    if (args.keepScratch) log(`[ingest] scratch databases kept: ${scratch.label}`);
    else await scratch.clean();
  }
}

export async function startReadServers(args: BenchArgs, dataset: Dataset, engine: Engine): Promise<ReadServers> {
  const gateway = await startGateway(dataset.path, args.gatewayLogLevel);
  const started: ServerProcess[] = [gateway];
  try {
    const server = async (name: string, script: string) => {
      const s = await startServer({ name, args: (port) => tsxArgs(script, '--db', dataset.path, '--port', String(port)), readyPath: '/graphql' });
      started.push(s);
      return s;
    };
    const baseline = await server('baseline', engine.baselineScript);
    const peers = args.only.includes('graphql-day');
    const apollo = peers ? await server('apollo', 'bench/peers/apollo.ts') : null;
    const mercurius = peers ? await server('mercurius', 'bench/peers/mercurius.ts') : null;
    return { gateway, baseline, apollo, mercurius };
  } catch (error) {
    await Promise.all(started.map((s) => s.stop()));
    throw error;
  }
}

export async function measure(args: BenchArgs, dataset: Dataset | null, engine: Engine): Promise<Measurement> {
  const scenarios: ScenarioResult[] = [];
  let read: number | null = null;
  let deepOffset = 0;
  const reads = args.only.filter((s) => s !== 'ingest');
  if (reads.length > 0 && dataset) {
    const servers = await startReadServers(args, dataset, engine);
    const sampler = new RssSampler(servers.gateway.pid);
    try {
      const paths = readScenarioPaths(dataset);
      deepOffset = paths.deepOffset;
      await verifyReadServers(servers, dataset.meta.readKey, paths, args.only);
      scenarios.push(...(await measureReads(args, dataset, servers, sampler)));
      read = sampler.peak;
    } finally {
      sampler.stop();
      await Promise.all(Object.values(servers).map((s: ServerProcess | null) => s?.stop()));
    }
  }
  let ingest: number | null = null;
  if (args.only.includes('ingest')) {
    const r = await measureIngest(args, engine);
    scenarios.push(r.result);
    ingest = r.peakRss;
  }
  log(`[rss] gateway peak RSS: ${read === null ? '-' : `${(read / MiB).toFixed(0)} MiB (reads)`}${ingest === null ? '' : `, ${(ingest / MiB).toFixed(0)} MiB (ingestion)`}`);
  return { scenarios, peakRss: { read, ingest }, deepOffset };
}
