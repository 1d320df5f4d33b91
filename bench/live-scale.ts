// The "live at scale" bench (issue #19): N live subscriptions, half over SSE and half over WebSocket, on
// the built gateway while events are ingested at a steady rate; reports delivery latency, updates per
// subscriber, starved subscribers, the gateway's peak RSS and the clients' event-loop lag.
// Benchmarks are not tests: nothing here runs in `npm test`. See `--help`.
//
// Phases: seed (one session_start per session, before anyone subscribes); open the subscriptions; prime
// (one event per session, until every subscriber has seen it: each stream is then known to be live);
// measure (events at --rate for --duration); drain (until every subscriber has seen every session's
// final count, or DRAIN_LIMIT_MS). Latency is counted only for events sent in the measured phase.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { flagsOrExit } from './flag-reader.js';
import { LIVE_USAGE, parseLiveArgs, type LiveArgs, type Selection } from './live-args.js';
import { ClientProcess } from './live-client-process.js';
import { startLiveGateway, liveSettings } from './live-gateway.js';
import { Histogram } from './live-histogram.js';
import { LiveIngest } from './live-ingest.js';
import { LoopLagMonitor } from './live-loop-lag.js';
import { ProcessTreeSampler } from './live-process-tree.js';
import type { ClientResult, SubscriberSpec, ToClient } from './live-protocol.js';
import { jsonReport, textReport, type LiveResult } from './live-report.js';
import { createLiveKeys, scratchFor } from './live-scratch.js';
import { readHeap } from './live-heap.js';
import type { ServerProcess } from './processes.js';

/** The dashboard's live document (dashboard/src/api/operations.graphql), or the README's lighter example. */
const QUERIES: Record<Selection, string> = {
  dashboard: `subscription SessionUpdates($sessionId: ID) {
  sessionUpdated(sessionId: $sessionId) { id startedAt endedAt durationMs eventCount toolInvocations usage { totalTokens costUsd } }
}`,
  counts: 'subscription Watch($sessionId: ID) { sessionUpdated(sessionId: $sessionId) { id eventCount toolInvocations } }',
};
const OPEN_CONCURRENCY = 25;
const PRIME_LIMIT_MS = 30_000;
const DRAIN_LIMIT_MS = 10_000;
const POLL_MS = 100;

const log = (line: string) => process.stderr.write(`[live] ${line}\n`);

function specs(args: LiveArgs, keys: readonly string[], sessionIds: readonly string[]): SubscriberSpec[] {
  return Array.from({ length: args.subscribers }, (_, i) => ({
    index: i,
    // Alternating transports, keys taken in pairs: every key holds as many SSE streams as WebSocket ones.
    transport: args.transports === 'both' ? (i % 2 === 0 ? 'sse' : 'ws') : args.transports,
    key: keys[Math.floor(i / 2) % keys.length]!,
    sessionId: args.watch === 'session' ? sessionIds[i % sessionIds.length]! : null,
  }));
}

/** Asks every client how many of its subscribers lack `counts`, until none does or `limitMs` passes. */
async function waitUntilSeen(clients: readonly ClientProcess[], counts: readonly number[], limitMs: number): Promise<{ behind: number; seconds: number }> {
  const started = performance.now();
  for (;;) {
    for (const c of clients) c.send({ type: 'progress', counts: [...counts] });
    const replies = await Promise.all(clients.map((c) => c.next('progress')));
    const behind = replies.reduce((sum, r) => sum + r.behind, 0);
    const seconds = (performance.now() - started) / 1000;
    if (behind === 0 || seconds * 1000 >= limitMs) return { behind, seconds };
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

async function run(args: LiveArgs, command: string): Promise<LiveResult> {
  const scratch = scratchFor(args.db);
  const wsSubscribers = { both: Math.floor(args.subscribers / 2), sse: 0, ws: args.subscribers }[args.transports];
  const metricsToken = randomBytes(24).toString('hex');
  const gatewayOptions = {
    db: scratch.db, metricsToken, subscribers: args.subscribers, wsSubscribers, keys: args.keys, workers: args.workers, cpuProf: args.cpuProf,
  };
  log(`scratch database ${scratch.label}`);
  await scratch.prepare();
  let gateway: ServerProcess | null = null;
  let sampler: ProcessTreeSampler | null = null;
  const clients: ClientProcess[] = [];
  try {
    log(`creating ${args.keys} read keys and a write key`);
    const keys = await createLiveKeys(scratch.db, args.keys);
    gateway = await startLiveGateway(gatewayOptions);
    sampler = new ProcessTreeSampler(gateway.pid);
    const idleRssBytes = sampler.latest;
    const heapIdle = await readHeap(gateway.url, metricsToken);
    log(`gateway ${gateway.url} (pid ${gateway.pid})`);

    const sessionIds = Array.from({ length: args.sessions }, () => randomUUID());
    const ingest = new LiveIngest(gateway.url, keys.write, sessionIds, (at, counts) => {
      const message: ToClient = { type: 'sent', at, counts };
      for (const c of clients) c.send(message);
    });
    const all = sessionIds.map((_, i) => i);
    await ingest.each(all, 'session_start');

    for (let i = 0; i < args.clients; i++) clients.push(new ClientProcess(`client ${i + 1}`));
    const subscribers = specs(args, keys.read, sessionIds);
    // The priming batch adds one event per session: what follows it is measured.
    const measureFrom = ingest.counts.map((c) => c + 1);
    log(`opening ${args.subscribers} subscriptions from ${args.clients} client processes`);
    const openStarted = performance.now();
    clients.forEach((c, i) =>
      c.send({
        type: 'open', url: gateway!.url, query: QUERIES[args.selection], sessionIds, measureFrom, concurrency: OPEN_CONCURRENCY,
        subscribers: subscribers.filter((s) => s.index % args.clients === i),
      }),
    );
    const opened = await Promise.all(clients.map((c) => c.next('opened')));
    const openSeconds = (performance.now() - openStarted) / 1000;
    const failed = opened.reduce((sum, o) => sum + o.failed, 0);
    log(`opened ${args.subscribers - failed} in ${openSeconds.toFixed(1)} s${failed > 0 ? `, ${failed} failed: ${opened.flatMap((o) => o.errors)[0]}` : ''}`);

    await ingest.each(all, 'tool_use');
    const primed = await waitUntilSeen(clients, ingest.counts, PRIME_LIMIT_MS);
    log(`primed in ${primed.seconds.toFixed(1)} s (${primed.behind} subscribers behind)`);
    const heapOpen = await readHeap(gateway.url, metricsToken);

    log(`measuring: ${args.rate} events/s for ${args.duration} s`);
    for (const c of clients) c.send({ type: 'measure' });
    const runnerLag = new LoopLagMonitor();
    runnerLag.start();
    const cpuBefore = sampler.cpuSeconds();
    const windowStarted = performance.now();
    const stats = await ingest.run(args.rate, args.batch, args.duration);
    const drained = await waitUntilSeen(clients, ingest.counts, DRAIN_LIMIT_MS);
    const windowSeconds = (performance.now() - windowStarted) / 1000;
    const cpuSeconds = sampler.cpuSeconds() - cpuBefore;
    const heapEnd = await readHeap(gateway.url, metricsToken);
    const runnerLoopLag = runnerLag.stop();
    log(`drained in ${drained.seconds.toFixed(1)} s (${drained.behind} subscribers behind)`);

    for (const c of clients) c.send({ type: 'finish' });
    const results: ClientResult[] = await Promise.all(clients.map((c) => c.next('result')));
    ingest.close();
    sampler.stop();

    const updateLatency = new Histogram();
    const eventLatency = new Histogram();
    for (const r of results) {
      updateLatency.merge(r.updateLatency);
      eventLatency.merge(r.eventLatency);
    }
    return {
      command,
      date: new Date().toISOString(),
      engine: scratch.engine === 'postgres' ? 'PostgreSQL' : 'SQLite',
      database: scratch.label,
      settings: liveSettings(gatewayOptions),
      opened: { ok: args.subscribers - failed, failed, seconds: openSeconds, errors: opened.flatMap((o) => o.errors) },
      unprimed: primed.behind,
      primeSeconds: primed.seconds,
      ingest: {
        batches: stats.batches, events: stats.events, late: stats.late, seconds: stats.seconds,
        ackP50: stats.ack.percentile(0.5), ackP99: stats.ack.percentile(0.99), ackMax: stats.ack.max,
      },
      updateLatency,
      eventLatency,
      behindAtEnd: drained.behind,
      drainSeconds: drained.seconds,
      subscribers: results.flatMap((r) => r.subscribers).sort((a, b) => a.index - b.index),
      repeats: results.reduce((sum, r) => sum + r.repeats, 0),
      unresolved: results.reduce((sum, r) => sum + r.unresolved, 0),
      gateway: { pid: gateway.pid, idleRssBytes, peakRssBytes: sampler.peak, processes: sampler.processes, cpuSeconds, windowSeconds },
      heap: { idle: heapIdle, opened: heapOpen, end: heapEnd },
      clients: results.map((r) => ({ pid: r.pid, subscribers: r.subscribers.length, loopLag: r.loopLag, cpuSeconds: r.cpuSeconds })),
      runnerLoopLag,
      errors: [...opened.flatMap((o) => o.errors), ...results.flatMap((r) => r.errors)],
    };
  } finally {
    sampler?.stop();
    for (const c of clients) c.child.kill();
    await gateway?.stop();
    if (args.keepScratch) log(`scratch database kept: ${scratch.label}`);
    else await scratch.clean();
  }
}

async function main(): Promise<number> {
  const args = flagsOrExit('live-scale', LIVE_USAGE, parseLiveArgs);
  const command = ['node --import tsx bench/live-scale.ts', ...process.argv.slice(2)].join(' ');
  const result = await run(args, command);
  process.stdout.write(`\n${textReport(args, result)}\n`);
  if (args.json) {
    const path = resolve(args.json);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, `${JSON.stringify(jsonReport(args, result), null, 2)}\n`);
    log(`results written to ${path}`);
  }
  return 0;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(130));

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`live-scale: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
