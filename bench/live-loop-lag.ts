// Event-loop lag of a bench process: how late a 10 ms timer fires (Node's histogram counts the whole
// interval between ticks, so the timer's own 10 ms are taken off).
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { LoopLag } from './live-protocol.js';

const RESOLUTION_MS = 10;
const NS_PER_MS = 1e6;

export class LoopLagMonitor {
  readonly #histogram: IntervalHistogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });

  start(): void {
    this.#histogram.reset();
    this.#histogram.enable();
  }

  stop(): LoopLag {
    this.#histogram.disable();
    const lag = (ns: number) => Math.max(0, ns / NS_PER_MS - RESOLUTION_MS);
    return { p50: lag(this.#histogram.percentile(50)), p99: lag(this.#histogram.percentile(99)), max: lag(this.#histogram.max), mean: lag(this.#histogram.mean) };
  }
}
