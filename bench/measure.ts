// The runner: every server in its own child process, autocannon in this one. For each scenario,
// R rounds; in each round every server is warmed up and then measured, the order rotating between
// rounds (bench/scenario-runner.ts). Medians over rounds; the gateway's RSS sampled every 100 ms from /proc.
// The read scenarios share one gateway and one baseline; `workers` starts two gateways of its own once
// they are stopped; `ingest` one on a scratch database.
import type { BenchArgs } from './args.js';
import type { Dataset } from './dataset.js';
import type { Engine } from './engine.js';
import { BROWSER_ACCEPT, BROWSER_ACCEPT_ENCODING, BROWSER_ORIGIN, browserHeaders } from './graphql-browser.js';
import { measureIngest } from './ingest-scenario.js';
import { MiB, RssSampler, type ServerProcess } from './processes.js';
import { GRAPHQL_QUERY, readScenarioPaths, type ReadPaths, type RestScenario } from './read-paths.js';
import { startReadServers, type ReadServers } from './read-servers.js';
import { getTarget, log, runScenario, type HttpTarget, type ScenarioResult, type Target } from './scenario-runner.js';
import { targetsFor } from './targets.js';
import { verifyReadServers, type VerifiedReads } from './verify-reads.js';
import { measureWorkers, WORKERS } from './workers-scenario.js';

export { PEER_TARGETS, RSS_TARGET_MIB, targetsFor } from './targets.js';
export type { ScenarioResult, Stats, TargetResult } from './scenario-runner.js';
export { VerificationError } from './verification-error.js';

export interface Measurement {
  scenarios: ScenarioResult[];
  /**
   * Peak VmRSS under load, bytes: the read gateway's, the ingestion one's, and for `workers` each gateway's
   * summed over its processes (with `--workers 2`: the primary and its workers).
   */
  peakRss: {
    read: number | null;
    ingest: number | null;
    workers: { workerCount: number; multi: number; single: number; processes: number } | null;
  };
  deepOffset: number;
}

const READ_SCENARIOS = new Set(['rest-day', 'rest-month', 'rest-first-page', 'rest-deep-page', 'graphql-day', 'graphql-browser']);

function graphqlPost(name: string, server: ServerProcess, body: string, headers: Record<string, string>, connections: number): HttpTarget {
  return { name, kind: 'http', options: () => ({ url: `${server.url}/graphql`, connections, method: 'POST', body, headers }) };
}

export async function measureReads(
  args: BenchArgs, dataset: Dataset, servers: ReadServers, sampler: RssSampler, paths: ReadPaths, verified: VerifiedReads, engine: Engine,
): Promise<ScenarioResult[]> {
  const goals = targetsFor(engine.name);
  const key = dataset.meta.readKey;
  const results: ScenarioResult[] = [];
  const get = (name: string, server: ServerProcess, path: string) => getTarget(name, server.url + path, key, args.connections);
  const restDay = paths.rest['rest-day'].path;
  for (const [name, { path, description }] of Object.entries(paths.rest) as [RestScenario, { path: string; description: string }][]) {
    if (!args.only.includes(name)) continue;
    const r = await runScenario(name, [get('gateway', servers.gateway, path), get('baseline', servers.baseline, path)], args, sampler);
    const gateway = r.get('gateway')!;
    const baseline = r.get('baseline')!;
    results.push({
      name, description: `${description}, \`GET ${path}\``, gateway, baseline, peers: [], ratio: gateway.median.rps / baseline.median.rps, target: goals[name], gatewayPeakRss: sampler.window(),
    });
  }
  if (args.only.includes('graphql-day')) {
    const plain = { 'x-api-key': key, 'content-type': 'application/json', accept: 'application/json' };
    const post = (name: string, server: ServerProcess) => graphqlPost(name, server, paths.graphqlBody, plain, args.connections);
    const targets: Target[] = [post('gateway', servers.gateway), get('baseline', servers.baseline, restDay)];
    if (servers.apollo) targets.push(post('apollo', servers.apollo));
    if (servers.mercurius) targets.push(post('mercurius', servers.mercurius));
    const r = await runScenario('graphql-day', targets, args, sampler);
    const gateway = r.get('gateway')!;
    const baseline = r.get('baseline')!;
    results.push({
      name: 'graphql-day',
      description: `GraphQL one day, \`POST /graphql\` \`${GRAPHQL_QUERY}\`; the baseline serves its REST one day`,
      gateway,
      baseline,
      peers: [...r.values()].filter((t) => t.name === 'apollo' || t.name === 'mercurius'),
      ratio: gateway.median.rps / baseline.median.rps,
      target: goals['graphql-day'],
      gatewayPeakRss: sampler.window(),
    });
  }
  if (args.only.includes('graphql-browser')) {
    const browser = graphqlPost('gateway', servers.gateway, paths.graphqlBody, browserHeaders(key), args.connections);
    const r = await runScenario('graphql-browser', [browser, get('baseline', servers.baseline, restDay)], args, sampler);
    const gateway = r.get('gateway')!;
    const baseline = r.get('baseline')!;
    const coding = verified.browser ? `, answered with Content-Encoding ${verified.browser.coding} (${verified.browser.sentBytes.toLocaleString('en-US')} bytes for ${verified.browser.jsonBytes.toLocaleString('en-US')} of JSON)` : '';
    results.push({
      name: 'graphql-browser',
      description:
        `GraphQL one day from a browser: graphql-day's query as Chromium sends a page's fetch(), \`POST /graphql\` with \`Origin: ${BROWSER_ORIGIN}\` ` +
        `(the gateway's TRENCHCOAT_CORS_ORIGINS), \`Accept: ${BROWSER_ACCEPT}\`, \`Accept-Encoding: ${BROWSER_ACCEPT_ENCODING}\`, ` +
        `User-Agent, Accept-Language, Referer, Sec-Fetch-* and Sec-CH-UA-*${coding}; the baseline serves its REST one day`,
      gateway,
      baseline,
      peers: [],
      ratio: gateway.median.rps / baseline.median.rps,
      target: goals['graphql-browser'],
      gatewayPeakRss: sampler.window(),
    });
  }
  return results;
}

export async function measure(args: BenchArgs, dataset: Dataset | null, engine: Engine): Promise<Measurement> {
  const scenarios: ScenarioResult[] = [];
  const peakRss: Measurement['peakRss'] = { read: null, ingest: null, workers: null };
  const paths = dataset ? readScenarioPaths(dataset) : null;
  if (dataset && paths && args.only.some((s) => READ_SCENARIOS.has(s))) {
    const servers = await startReadServers(args, dataset, engine);
    const sampler = new RssSampler(servers.gateway.pid);
    try {
      const verified = await verifyReadServers(servers, dataset.meta.readKey, paths, args.only);
      scenarios.push(...(await measureReads(args, dataset, servers, sampler, paths, verified, engine)));
      peakRss.read = sampler.peak;
    } finally {
      sampler.stop();
      await Promise.all(Object.values(servers).map((s: ServerProcess | null) => s?.stop()));
    }
  }
  if (dataset && paths && args.only.includes('workers')) {
    const r = await measureWorkers(args, dataset, paths, engine);
    scenarios.push(r.result);
    peakRss.workers = { workerCount: WORKERS, ...r.peakRss };
  }
  if (args.only.includes('ingest')) {
    const r = await measureIngest(args, engine);
    scenarios.push(r.result);
    peakRss.ingest = r.peakRss;
  }
  const w = peakRss.workers;
  log(
    `[rss] gateway peak RSS: ${peakRss.read === null ? '-' : `${(peakRss.read / MiB).toFixed(0)} MiB (reads)`}` +
      `${peakRss.ingest === null ? '' : `, ${(peakRss.ingest / MiB).toFixed(0)} MiB (ingestion)`}` +
      `${w === null ? '' : `, ${(w.multi / MiB).toFixed(0)} MiB over ${w.processes} processes (--workers ${w.workerCount}), ${(w.single / MiB).toFixed(0)} MiB (--workers 1)`}`,
  );
  return { scenarios, peakRss, deepOffset: paths?.deepOffset ?? 0 };
}
