// One scenario's rounds: every target warmed up and then measured in turn, the order rotating
// between rounds; medians over rounds. Targets are HTTP servers under autocannon, or loops that
// measure themselves (the ingestion baseline).
import autocannon from 'autocannon';
import type { BenchArgs, ScenarioName } from './args.js';
import { busyCores, cpuSample } from './machine-busy.js';
import { median } from './median.js';
import type { RssSampler } from './processes.js';

export interface Stats {
  /** Requests per second (ingestion: batches of 1000 events per second). */
  rps: number;
  p50: number;
  p99: number;
  /** Responses that were not 2xx, connection errors (timeouts among them) and bodies that failed a check. */
  failures: number;
  /** Of `failures`, requests with no answer within autocannon's 10 s. */
  timeouts: number;
  /** Cores the whole machine kept busy while measuring (client, servers, database, kernel); HTTP targets on Linux. */
  busy?: number;
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
  /** The gateway's peak RSS (bytes) during this scenario; for a gateway of several processes, the sum over them. */
  gatewayPeakRss: number;
  /** Why the ratio does not measure what the scenario says (the report's met? column says invalid). */
  invalid?: string;
}

export interface HttpTarget {
  name: string;
  kind: 'http';
  options: () => autocannon.Options;
  /** Counts bodies that failed a check (ingestion). */
  bad?: { count: number };
}

export interface LoopTarget {
  name: string;
  kind: 'loop';
  run: (warmup: number, seconds: number, round: number) => Promise<Stats>;
}

export type Target = HttpTarget | LoopTarget;

export function log(message: string): void {
  process.stderr.write(`${message}\n`);
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
      timeouts: rounds.reduce((n, r) => n + r.timeouts, 0),
      ...(rounds.every((r) => r.busy !== undefined) ? { busy: median(rounds.map((r) => r.busy!)) } : {}),
    },
  };
}

async function measureHttp(target: HttpTarget, warmup: number, seconds: number): Promise<Stats> {
  if (warmup > 0) await autocannon({ ...target.options(), duration: warmup });
  const before = target.bad?.count ?? 0;
  const cpuBefore = cpuSample();
  const r = await autocannon({ ...target.options(), duration: seconds });
  const busy = busyCores(cpuBefore, cpuSample());
  const bad = (target.bad?.count ?? 0) - before;
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, failures: r.non2xx + r.errors + bad, timeouts: r.timeouts, ...(busy === undefined ? {} : { busy }) };
}

function fmtStats(s: Stats, perRequest = 1): string {
  const rate = s.rps * perRequest;
  return `${Math.round(rate).toLocaleString('en-US')}${perRequest > 1 ? ' events/s' : ' req/s'}, p50 ${s.p50.toFixed(1)} ms, p99 ${s.p99.toFixed(1)} ms${s.failures ? `, ${s.failures} FAILED` : ''}`;
}

/** A GET under autocannon, with the read key. */
export function getTarget(name: string, url: string, key: string, connections: number): HttpTarget {
  return { name, kind: 'http', options: () => ({ url, connections, headers: { 'x-api-key': key } }) };
}

export async function runScenario(
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
