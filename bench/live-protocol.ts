// What the live bench's runner and its client processes tell each other over the IPC channel.
import type { HistogramJson } from './live-histogram.js';

export type Transport = 'sse' | 'ws';

export interface SubscriberSpec {
  index: number;
  key: string;
  transport: Transport;
  /** The one session it watches; null: every session of the account. */
  sessionId: string | null;
}

/**
 * Milliseconds since the epoch, with the sub-millisecond part: comparable between the processes of one machine
 * (each offsets its monotonic clock by its own start on the wall clock).
 */
export function wallNow(): number {
  return performance.timeOrigin + performance.now();
}

export type ToClient =
  | {
      type: 'open';
      url: string;
      query: string;
      subscribers: SubscriberSpec[];
      sessionIds: string[];
      /** Per session: events up to this count were sent before the measurement; later ones are measured. */
      measureFrom: number[];
      /** Subscriptions being opened at once. */
      concurrency: number;
    }
  /** Per session [index, count]: its events up to `count` not announced before were sent at `at` (wallNow). */
  | { type: 'sent'; at: number; counts: [number, number][] }
  /** The measurement starts: the loop lag and CPU time are counted from here. */
  | { type: 'measure' }
  /** How many subscribers have not yet seen, for each session they watch, at least `counts[session]` events? */
  | { type: 'progress'; counts: number[] }
  | { type: 'finish' };

export interface SubscriberResult {
  index: number;
  transport: Transport;
  /** Updates reflecting a measured event. */
  measuredUpdates: number;
  updates: number;
  /** Why its stream ended before the finish; null if it did not. */
  ended: string | null;
}

export interface LoopLag {
  p50: number;
  p99: number;
  max: number;
  mean: number;
}

export interface ClientResult {
  type: 'result';
  pid: number;
  subscribers: SubscriberResult[];
  /** Per update: its receipt minus the send time of the newest event it reflects. */
  updateLatency: HistogramJson;
  /** Per event and subscriber: the receipt of the first update reflecting it minus the event's send time. */
  eventLatency: HistogramJson;
  /** Updates whose count was not above the one the subscriber had already seen for that session. */
  repeats: number;
  /** Updates whose events' send times never arrived (should be 0). */
  unresolved: number;
  loopLag: LoopLag;
  /** The client process's CPU seconds (user + system) from the measurement's start to the finish. */
  cpuSeconds: number;
  errors: string[];
}

export type FromClient =
  | { type: 'opened'; ok: number; failed: number; errors: string[]; ms: number }
  | { type: 'progress'; behind: number }
  | ClientResult;
