// A process and its descendants (the gateway's workers, when it runs several), read from /proc: the sum
// of their resident memory sampled every 100 ms, and the CPU time they used.
import { readdirSync, readFileSync } from 'node:fs';
import { readRss } from './processes.js';

/** Linux's USER_HZ: /proc/<pid>/stat counts CPU time in these ticks. */
const TICKS_PER_SECOND = 100;
const RESCAN_EVERY = 10;

function stat(pid: number): { ppid: number; cpuTicks: number } | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: the fields after it are counted from its end.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(fields[1]), cpuTicks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return null;
  }
}

/** `root` and every process below it. */
export function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(entry)) continue;
    const s = stat(Number(entry));
    if (!s) continue;
    const list = children.get(s.ppid) ?? [];
    list.push(Number(entry));
    children.set(s.ppid, list);
  }
  const all = [root];
  for (let i = 0; i < all.length; i++) all.push(...(children.get(all[i]!) ?? []));
  return all;
}

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
    this.#pids = descendants(root);
    this.#sample();
    this.#timer = setInterval(() => this.#sample(), intervalMs);
    this.#timer.unref();
  }

  #sample(): void {
    if (++this.#ticks % RESCAN_EVERY === 0) this.#pids = descendants(this.root);
    let sum = 0;
    for (const pid of this.#pids) sum += readRss(pid)?.rss ?? 0;
    this.latest = sum;
    this.peak = Math.max(this.peak, sum);
    this.processes = Math.max(this.processes, this.#pids.length);
  }

  /** CPU seconds (user + system) the tree has used so far. */
  cpuSeconds(): number {
    let ticks = 0;
    for (const pid of descendants(this.root)) ticks += stat(pid)?.cpuTicks ?? 0;
    return ticks / TICKS_PER_SECOND;
  }

  stop(): void {
    this.#sample();
    clearInterval(this.#timer);
  }
}
