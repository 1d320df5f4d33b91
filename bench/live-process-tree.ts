// A process and its descendants (the gateway's workers, when it runs several), read from /proc: the sum
// of their resident memory sampled every 100 ms, and the CPU time they used.
import { cpuTicks, processTree } from './process-tree.js';
import { readRss } from './processes.js';

/** Linux's USER_HZ: /proc/<pid>/stat counts CPU time in these ticks. */
const TICKS_PER_SECOND = 100;
const RESCAN_EVERY = 10;

export class ProcessTreeSampler {
  /** Largest sum of VmRSS seen, in bytes. */
  peak = 0;
  /** The latest sum of VmRSS, in bytes. */
  latest = 0;
  /** Processes seen in the tree at most at once. */
  processes = 0;
  #pids: number[];
  #ticks = 0;
  readonly #timer: NodeJS.Timeout;

  constructor(readonly root: number, intervalMs = 100) {
    this.#pids = processTree(root);
    this.#sample();
    this.#timer = setInterval(() => this.#sample(), intervalMs);
    this.#timer.unref();
  }

  #sample(): void {
    if (++this.#ticks % RESCAN_EVERY === 0) this.#pids = processTree(this.root);
    let sum = 0;
    for (const pid of this.#pids) sum += readRss(pid)?.rss ?? 0;
    this.latest = sum;
    this.peak = Math.max(this.peak, sum);
    this.processes = Math.max(this.processes, this.#pids.length);
  }

  /** CPU seconds (user + system) the tree has used so far. */
  cpuSeconds(): number {
    let ticks = 0;
    for (const pid of processTree(this.root)) ticks += cpuTicks(pid) ?? 0;
    return ticks / TICKS_PER_SECOND;
  }

  stop(): void {
    this.#sample();
    clearInterval(this.#timer);
  }
}
