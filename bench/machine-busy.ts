// How busy the whole machine was over an interval (every process and the kernel), from /proc/stat:
// what a scenario's client, servers and database used together. Null off Linux.
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

export interface CpuSample {
  total: number;
  idle: number;
}

export function cpuSample(): CpuSample | null {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
    const ticks = line.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal …: idle and iowait are the time nothing ran.
    return { total: ticks.reduce((a, b) => a + b, 0), idle: (ticks[3] ?? 0) + (ticks[4] ?? 0) };
  } catch {
    return null;
  }
}

/** The cores busy on average between two samples (0 to the machine's core count). */
export function busyCores(before: CpuSample | null, after: CpuSample | null): number | undefined {
  if (!before || !after || after.total <= before.total) return undefined;
  return availableParallelism() * (1 - (after.idle - before.idle) / (after.total - before.total));
}
