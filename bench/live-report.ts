// The live bench's figures, as text and as JSON, and its verdict on issue #19's goals.
import type { LiveArgs } from './live-args.js';
import type { Histogram, HistogramJson } from './live-histogram.js';
import type { LoopLag, SubscriberResult } from './live-protocol.js';
import type { HeapReading } from './live-heap.js';
import { MiB } from './processes.js';

export const GOALS = { p99Ms: 500, rssMiB: 400, starved: 0 } as const;

export interface LiveResult {
  command: string;
  date: string;
  engine: string;
  database: string;
  settings: Record<string, string>;
  opened: { ok: number; failed: number; seconds: number; errors: string[] };
  /** Subscribers that had not seen the priming events when the measurement began. */
  unprimed: number;
  primeSeconds: number;
  ingest: { batches: number; events: number; late: number; seconds: number; ackP50: number; ackP99: number; ackMax: number };
  updateLatency: Histogram;
  eventLatency: Histogram;
  /** Subscribers still short of the final state when the bench stopped waiting for it. */
  behindAtEnd: number;
  drainSeconds: number;
  subscribers: SubscriberResult[];
  repeats: number;
  unresolved: number;
  gateway: { pid: number; idleRssBytes: number; peakRssBytes: number; processes: number; cpuSeconds: number; windowSeconds: number };
  /** The gateway's heap before the subscriptions, once they are open and primed, and after the drain (null: /metrics failed). */
  heap: { idle: HeapReading | null; opened: HeapReading | null; end: HeapReading | null };
  clients: { pid: number; subscribers: number; loopLag: LoopLag; cpuSeconds: number }[];
  runnerLoopLag: LoopLag;
  errors: string[];
}

function quantile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

function updatesPer(subscribers: readonly SubscriberResult[]): { min: number; median: number; max: number } {
  const sorted = subscribers.map((s) => s.measuredUpdates).sort((a, b) => a - b);
  return { min: sorted[0] ?? 0, median: quantile(sorted, 0.5), max: sorted[sorted.length - 1] ?? 0 };
}

/** The share of the asked rate the run must reach for its figures to answer the goals. */
const RATE_KEPT = 0.95;

export function rateKept(args: LiveArgs, r: LiveResult): boolean {
  return r.ingest.events / r.ingest.seconds >= RATE_KEPT * args.rate;
}

export function starved(result: LiveResult): SubscriberResult[] {
  return result.subscribers.filter((s) => s.measuredUpdates === 0);
}

const ms = (v: number) => (v >= 100 ? v.toFixed(0) : v.toFixed(1));
const mib = (bytes: number) => (bytes / MiB).toFixed(0);
const lag = (l: LoopLag) => `p50 ${ms(l.p50)} ms, p99 ${ms(l.p99)} ms, max ${ms(l.max)} ms`;
const verdict = (ok: boolean) => (ok ? 'PASS' : 'MISS');
const heap = (h: HeapReading | null) =>
  h === null ? 'unread' : `heap ${mib(h.usedBytes)} used of ${mib(h.totalBytes)}, external ${mib(h.externalBytes)}, RSS ${mib(h.rssBytes)}`;

function latencyLine(h: Histogram): string {
  return `p50 ${ms(h.percentile(0.5))} ms, p95 ${ms(h.percentile(0.95))} ms, p99 ${ms(h.percentile(0.99))} ms, max ${ms(h.max)} ms (${h.count.toLocaleString('en-US')} samples)`;
}

export function describeWatch(args: LiveArgs): string {
  return args.watch === 'account'
    ? `every session of the account (sessionUpdated without arguments, as the dashboard subscribes)`
    : `one session (sessionUpdated(sessionId), subscriber i on session i mod ${args.sessions})`;
}

function describeSelection(args: LiveArgs): string {
  return args.selection === 'dashboard' ? "the dashboard's fields (usage included)" : 'id eventCount toolInvocations';
}

function describeTransports(args: LiveArgs, sse: number, ws: number): string {
  return args.transports === 'both' ? `${sse} SSE, ${ws} WebSocket, one socket each` : `all over ${args.transports === 'sse' ? 'SSE' : 'WebSocket'}`;
}

export function textReport(args: LiveArgs, r: LiveResult): string {
  const sse = r.subscribers.filter((s) => s.transport === 'sse');
  const ws = r.subscribers.filter((s) => s.transport === 'ws');
  const all = updatesPer(r.subscribers);
  const endedEarly = r.subscribers.filter((s) => s.ended !== null).length;
  const p99 = r.updateLatency.percentile(0.99);
  const rss = r.gateway.peakRssBytes / MiB;
  const hungry = starved(r).length;
  const settings = Object.entries(r.settings).map(([k, v]) => `${k}=${v}`).join(', ') || 'none (the defaults suffice)';
  const lines = [
    `Live at scale — ${r.date}`,
    `  command: ${r.command}`,
    `  ${args.subscribers} subscriptions (${describeTransports(args, sse.length, ws.length)}) on ${args.keys} read keys of one account, ` +
      `${args.clients} client processes; each watches ${describeWatch(args)}, selecting ${describeSelection(args)}`,
    `  ${args.rate} events/s over ${args.sessions} sessions (each event on a random one), batches of ${args.batch}, for ${args.duration} s; ` +
      `${r.engine} at ${r.database}; workers: ${args.workers ?? 'not passed'}`,
    `  gateway settings raised: ${settings}`,
    '',
    `Opened ${r.opened.ok} subscriptions in ${r.opened.seconds.toFixed(1)} s (${r.opened.failed} refused or failed); ` +
      `primed in ${r.primeSeconds.toFixed(1)} s (${r.unprimed} subscribers had not seen the priming events)`,
    `Ingested ${r.ingest.events} events in ${r.ingest.batches} batches over ${r.ingest.seconds.toFixed(1)} s ` +
      `(${(r.ingest.events / r.ingest.seconds).toFixed(1)} events/s of ${args.rate} asked; ${r.ingest.late} batches late); ` +
      `POST round trip p50 ${ms(r.ingest.ackP50)} ms, p99 ${ms(r.ingest.ackP99)} ms, max ${ms(r.ingest.ackMax)} ms`,
    '',
    'Delivery latency per update (its receipt − the send time of the newest event it reflects):',
    `  ${latencyLine(r.updateLatency)}`,
    'Staleness per event and subscriber (receipt of the first update reflecting it − its send time; includes coalescing):',
    `  ${latencyLine(r.eventLatency)}`,
    `Updates per subscriber in the measured window: min ${all.min}, median ${all.median}, max ${all.max} ` +
      `(SSE median ${updatesPer(sse).median}, WebSocket median ${updatesPer(ws).median})`,
    `Starved (no update in the window): ${hungry}; streams ended early: ${endedEarly}; short of the final state after ${r.drainSeconds.toFixed(1)} s of drain: ${r.behindAtEnd}; ` +
      `repeated updates: ${r.repeats}; unresolved: ${r.unresolved}; clock-skew samples below 0: ${r.updateLatency.negative}`,
    `Gateway: peak RSS ${mib(r.gateway.peakRssBytes)} MiB (sum over ${r.gateway.processes} process${r.gateway.processes === 1 ? '' : 'es'}; ${mib(r.gateway.idleRssBytes)} MiB idle before the subscriptions), ` +
      `CPU ${r.gateway.cpuSeconds.toFixed(1)} s in the ${r.gateway.windowSeconds.toFixed(1)} s window (${(r.gateway.cpuSeconds / r.gateway.windowSeconds).toFixed(2)} cores)`,
    `Gateway memory (MiB, from /metrics${args.workers !== null && args.workers > 1 ? ', the worker that answered' : ''}): idle ${heap(r.heap.idle)}; open and primed ${heap(r.heap.opened)}; after the drain ${heap(r.heap.end)}`,
    ...r.clients.map((c, i) => `Client ${i + 1} (pid ${c.pid}, ${c.subscribers} streams): event-loop lag ${lag(c.loopLag)}; CPU ${c.cpuSeconds.toFixed(1)} s`),
    `Runner (ingest): event-loop lag ${lag(r.runnerLoopLag)}`,
    '',
    `${verdict(rateKept(args, r))}  ingest rate ${(r.ingest.events / r.ingest.seconds).toFixed(1)} events/s (asked ${args.rate}; below ${RATE_KEPT * 100}% the other figures are for a lighter load)`,
    `${verdict(p99 <= GOALS.p99Ms)}  p99 delivery ${ms(p99)} ms (goal ≤ ${GOALS.p99Ms} ms)`,
    `${verdict(rss <= GOALS.rssMiB)}  gateway peak RSS ${rss.toFixed(0)} MiB (goal ≤ ${GOALS.rssMiB} MiB)`,
    `${verdict(hungry === GOALS.starved && r.opened.failed === 0)}  starved subscribers ${hungry}, failed to open ${r.opened.failed} (goal 0)`,
  ];
  if (r.errors.length > 0) lines.push('', 'First errors:', ...r.errors.slice(0, 10).map((e) => `  ${e}`));
  return lines.join('\n');
}

function histogramSummary(h: Histogram): { p50: number; p95: number; p99: number; max: number; count: number; histogram: HistogramJson } {
  return { p50: h.percentile(0.5), p95: h.percentile(0.95), p99: h.percentile(0.99), max: h.max, count: h.count, histogram: h.toJSON() };
}

export function jsonReport(args: LiveArgs, r: LiveResult): unknown {
  const p99 = r.updateLatency.percentile(0.99);
  return {
    ...r,
    args,
    updateLatency: histogramSummary(r.updateLatency),
    eventLatency: histogramSummary(r.eventLatency),
    updatesPerSubscriber: updatesPer(r.subscribers),
    starved: starved(r).map((s) => s.index),
    goals: {
      rate: { asked: args.rate, achieved: r.ingest.events / r.ingest.seconds, pass: rateKept(args, r) },
      p99: { goalMs: GOALS.p99Ms, ms: p99, pass: p99 <= GOALS.p99Ms },
      rss: { goalMiB: GOALS.rssMiB, mib: r.gateway.peakRssBytes / MiB, pass: r.gateway.peakRssBytes / MiB <= GOALS.rssMiB },
      starved: { goal: 0, count: starved(r).length, failedToOpen: r.opened.failed, pass: starved(r).length === 0 && r.opened.failed === 0 },
    },
  };
}
