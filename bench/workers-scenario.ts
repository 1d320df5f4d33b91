// `workers`: REST one day from `trenchcoat serve --workers 2` against the same gateway started with
// `--workers 1`, its baseline here: same data set, same autocannon settings, rounds alternating.
// Both run once the read servers are stopped. RSS is the sum over each gateway's processes.
import type { BenchArgs } from './args.js';
import type { Dataset } from './dataset.js';
import { BROWSER_GATEWAY_ENV } from './graphql-browser.js';
import { machineCores } from './machine-busy.js';
import { commandLine, cpuTicks, processTree } from './process-tree.js';
import { MiB, RssSampler, runCli, startGateway, type ServerProcess } from './processes.js';
import type { ReadPaths } from './read-paths.js';
import { getTarget, log, runScenario, type ScenarioResult } from './scenario-runner.js';
import type { Engine } from './engine.js';
import { targetsFor } from './targets.js';
import { VerificationError } from './verification-error.js';
import { fetchText } from './verify-reads.js';

export const WORKERS = 2;

export interface WorkersResult {
  result: ScenarioResult;
  /** Peak RSS, bytes, summed over each gateway's processes. */
  peakRss: { multi: number; single: number; processes: number };
}

async function serveTakesWorkers(): Promise<boolean> {
  return /--workers\b/.test(await runCli(['serve', '--help']));
}

/**
 * Waits until `pid` has `processes` processes in its tree and none of them uses CPU any more: workers
 * still loading would miss the connections dealt before they listen. Returns the tree as found.
 */
async function settled(pid: number, processes: number, timeoutMs = 60_000): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  let last = -1;
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const tree = processTree(pid);
    const ticks = tree.reduce((sum, p) => sum + (cpuTicks(p) ?? 0), 0);
    // Two clock ticks (20 ms at 100 Hz) in half a second: idle.
    if (tree.length >= processes && last >= 0 && ticks - last <= 2) return tree;
    last = ticks;
    if (Date.now() > deadline) {
      log(`[workers] ${tree.length} processes under ${pid} after ${timeoutMs / 1000} s (expected ${processes}); measuring anyway`);
      return tree;
    }
  }
}

/** Each process's share of the CPU time the tree used since `before`, largest first. */
function cpuShares(before: Map<number, number>): { pid: number; share: number }[] {
  const used = [...before].map(([pid, start]) => ({ pid, ticks: (cpuTicks(pid) ?? start) - start }));
  const total = used.reduce((sum, u) => sum + u.ticks, 0) || 1;
  return used.map(({ pid, ticks }) => ({ pid, share: ticks / total })).sort((a, b) => b.share - a.share);
}

/**
 * About the best ratio the machine leaves room for: what `--workers 1` kept busy (the gateway, the client, the database
 * server and the kernel, all per request) scaled up to every core, and no more than WORKERS times one process. An
 * estimate, not a bound: per-request costs shift under saturation (2026-12-07, SQLite: 1.63× measured against 1.58×).
 */
function ceiling(busy: number | undefined): { busy: number; cores: number; ratio: number } | null {
  if (busy === undefined || busy <= 0) return null;
  const cores = machineCores();
  return { busy, cores, ratio: Math.min(WORKERS, cores / busy) };
}

/** A worker left behind by a primary that was killed: ended by its id, if it is still a gateway. */
async function reap(pids: number[]): Promise<void> {
  const left = () => pids.filter((pid) => commandLine(pid).includes('trenchcoat'));
  for (let i = 0; i < 50 && left().length > 0; i++) await new Promise((resolve) => setTimeout(resolve, 100));
  for (const pid of left()) process.kill(pid, 'SIGKILL');
}

async function sameBodies(name: string, answers: { status: number; text: string }[], labels: string[]): Promise<void> {
  const bad = answers.findIndex((a) => a.status !== 200 || a.text !== answers[0]!.text);
  if (bad >= 0) {
    throw new VerificationError(`workers: ${labels[bad]} answered ${answers[bad]!.status}, not what ${labels[0]} did (${answers[0]!.status}):\n  ${answers[bad]!.text.slice(0, 400)}\n  ${answers[0]!.text.slice(0, 400)}`);
  }
  log(`[verify] workers: ${name}: identical bodies (${answers[0]!.text.length.toLocaleString('en-US')} bytes) from ${labels.length} requests`);
}

export async function measureWorkers(args: BenchArgs, dataset: Dataset, paths: ReadPaths, engine: Engine): Promise<WorkersResult> {
  const key = dataset.meta.readKey;
  const path = paths.rest['rest-day'].path;
  const supported = await serveTakesWorkers();
  if (!supported) log('[workers] this build\'s `trenchcoat serve` has no --workers: both gateways run as one process, and the ratio is marked invalid');
  const start = (n: number) => startGateway(dataset.path, args.gatewayLogLevel, `gateway --workers ${n}`, {
    args: supported ? ['--workers', String(n)] : [],
    env: BROWSER_GATEWAY_ENV,
  });
  const single = await start(1);
  let multi: ServerProcess | null = null;
  let tree: number[] = [];
  const samplers: RssSampler[] = [];
  try {
    multi = await start(WORKERS);
    // A primary and its workers (the primary serves no request itself).
    tree = await settled(multi.pid, supported ? WORKERS + 1 : 1);
    await settled(single.pid, 1);
    log(`[workers] --workers ${WORKERS}: ${tree.length} processes (${tree.join(', ')}); --workers 1: ${processTree(single.pid).length}`);
    // Several at once, each on a connection of its own, so that every worker answers some.
    const fresh = { headers: { 'x-api-key': key } };
    const probes = Array.from({ length: 4 * WORKERS }, () => fetchText(multi!.url + path, fresh));
    await sameBodies(`GET ${path}`, [await fetchText(single.url + path, fresh), ...(await Promise.all(probes))], ['--workers 1', ...probes.map((_, i) => `--workers ${WORKERS} (request ${i + 1})`)]);

    const multiRss = new RssSampler(multi.pid, 100, { tree: true });
    const singleRss = new RssSampler(single.pid, 100, { tree: true });
    samplers.push(multiRss, singleRss);
    const before = new Map(processTree(multi.pid).map((pid) => [pid, cpuTicks(pid) ?? 0]));
    const r = await runScenario('workers', [
      getTarget('gateway', multi.url + path, key, args.connections),
      getTarget('baseline', single.url + path, key, args.connections),
    ], args, multiRss);
    const shares = cpuShares(before);
    const split = shares.map(({ pid, share }) => `${pid === multi!.pid ? 'primary' : 'worker'} ${Math.round(share * 100)}%`).join(', ');
    log(`[workers] CPU time of the --workers ${WORKERS} gateway's processes during the scenario: ${split}`);
    const workers = shares.filter(({ pid }) => pid !== multi!.pid);
    let invalid: string | undefined;
    if (!supported) invalid = 'this build\'s `trenchcoat serve` has no --workers: both gateways ran as one process';
    else if (tree.length < WORKERS + 1) invalid = `\`--workers ${WORKERS}\` started ${tree.length} process${tree.length === 1 ? '' : 'es'}, not a primary and ${WORKERS} workers`;
    const gateway = r.get('gateway')!;
    const baseline = r.get('baseline')!;
    const reach = ceiling(baseline.median.busy);
    if (reach) log(`[workers] with --workers 1 the machine kept ${reach.busy.toFixed(2)} of ${reach.cores} cores busy: ${WORKERS} processes could reach about ${reach.ratio.toFixed(2)}×`);
    const peak = { multi: multiRss.window(), single: singleRss.window(), processes: tree.length };
    log(`[rss] --workers ${WORKERS}: ${(peak.multi / MiB).toFixed(0)} MiB over ${tree.length} processes; --workers 1: ${(peak.single / MiB).toFixed(0)} MiB`);
    return {
      result: {
        name: 'workers',
        description:
          `REST one day, \`GET ${path}\`, from the gateway started with \`--workers ${WORKERS}\` ` +
          `(${supported ? `a primary and ${workers.length} workers; the workers' shares of the CPU time used: ${workers.map((w) => `${Math.round(w.share * 100)}%`).join(', ')}` : 'unsupported by this build'}); ` +
          'the baseline is the same gateway started with `--workers 1` (one process), not node:http' +
          (reach
            ? `; with \`--workers 1\` the machine kept ${reach.busy.toFixed(2)} of its ${reach.cores} cores busy (the gateway, autocannon, ` +
              `${engine.name === 'postgres' ? "PostgreSQL's server, " : ''}the kernel), so ${WORKERS} processes sharing them could reach about ${reach.ratio.toFixed(2)}×`
            : ''),
        gateway,
        baseline,
        peers: [],
        ratio: gateway.median.rps / baseline.median.rps,
        target: targetsFor(engine.name).workers,
        gatewayPeakRss: peak.multi,
        ...(invalid ? { invalid } : {}),
      },
      peakRss: peak,
    };
  } finally {
    for (const s of samplers) s.stop();
    await multi?.stop();
    await single.stop();
    await reap(tree.filter((pid) => pid !== multi?.pid));
  }
}
