// A client process of the live bench (started by bench/live-scale.ts with an IPC channel): opens its share
// of the subscriptions, measures what arrives, and reports when told to finish.
import type { ClientResult, FromClient, SubscriberSpec, ToClient } from './live-protocol.js';
import { openSse, type OpenStream, type StreamHandlers } from './live-sse.js';
import { LiveTracker } from './live-tracker.js';
import { LoopLagMonitor } from './live-loop-lag.js';
import { openWs } from './live-ws.js';

function send(message: FromClient): void {
  process.send!(message);
}

let tracker: LiveTracker | null = null;
const streams: OpenStream[] = [];
const lag = new LoopLagMonitor();
let cpuAtMeasure = process.cpuUsage();
let finishing = false;

async function open(message: Extract<ToClient, { type: 'open' }>): Promise<void> {
  const started = performance.now();
  const t = new LiveTracker(message.sessionIds, message.measureFrom);
  tracker = t;
  const errors: string[] = [];
  let ok = 0;
  const queue = [...message.subscribers];
  const openOne = async (spec: SubscriberSpec) => {
    t.add(spec);
    const handlers: StreamHandlers = {
      onResult: (json, at) => t.result(spec.index, json, at),
      onEnd: (reason) => {
        if (finishing) return;
        t.ended(spec.index, reason);
        t.error(`subscriber ${spec.index} (${spec.transport}) ended: ${reason}`);
      },
    };
    const variables = spec.sessionId === null ? {} : { sessionId: spec.sessionId };
    try {
      const opener = spec.transport === 'sse' ? openSse : openWs;
      streams.push(await opener(message.url, spec.key, message.query, variables, handlers));
      ok++;
    } catch (error) {
      t.ended(spec.index, (error as Error).message);
      if (errors.length < 10) errors.push(`subscriber ${spec.index} (${spec.transport}): ${(error as Error).message}`);
    }
  };
  await Promise.all(
    Array.from({ length: message.concurrency }, async () => {
      for (let spec = queue.shift(); spec; spec = queue.shift()) await openOne(spec);
    }),
  );
  send({ type: 'opened', ok, failed: message.subscribers.length - ok, errors, ms: Math.round(performance.now() - started) });
}

function finish(): void {
  finishing = true;
  const loopLag = lag.stop();
  for (const s of streams) s.close();
  const t = tracker!;
  const cpu = process.cpuUsage(cpuAtMeasure);
  const result: ClientResult = {
    type: 'result',
    pid: process.pid,
    subscribers: t.subscriberResults(),
    updateLatency: t.updateLatency.toJSON(),
    eventLatency: t.eventLatency.toJSON(),
    repeats: t.repeats,
    unresolved: t.unresolved,
    loopLag,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    errors: t.errors,
  };
  process.send!(result, () => process.exit(0));
}

process.on('message', (message: ToClient) => {
  switch (message.type) {
    case 'open':
      void open(message);
      break;
    case 'sent':
      for (const [session, count] of message.counts) tracker!.sent(message.at, session, count);
      break;
    case 'measure':
      cpuAtMeasure = process.cpuUsage();
      lag.start();
      break;
    case 'progress':
      send({ type: 'progress', behind: tracker!.behind(message.counts) });
      break;
    case 'finish':
      finish();
      break;
  }
});
process.on('disconnect', () => process.exit(0));
