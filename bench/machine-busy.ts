// How busy the whole machine was over an interval (every process and the kernel), from /proc/stat:
// what a scenario's client, servers and database used together. Null off Linux.
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

export interface CpuSample {
  total: number;
  idle: number;
  /** The CPUs /proc/stat sums over (its cpuN lines): the cores `busy` is counted against. */
  cores: number;
}

export function cpuSample(): CpuSample | null {
  try {
    const lines = readFileSync('/proc/stat', 'utf8').split('\n');
    const ticks = lines[0]!.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal …: idle and iowait are the time nothing ran.
    return { total: ticks.reduce((a, b) => a + b, 0), idle: (ticks[3] ?? 0) + (ticks[4] ?? 0), cores: lines.filter((l) => /^cpu\d+\s/.test(l)).length };
  } catch {
    return null;
  }
}

/** The machine's cores as /proc/stat counts them (elsewhere, those this process may run on). */
export function machineCores(): number {
  return cpuSample()?.cores || availableParallelism();
}

/** The cores busy on average between two samples (0 to the machine's core count). */
export function busyCores(before: CpuSample | null, after: CpuSample | null): number | undefined {
  if (!before || !after || after.total <= before.total || after.cores === 0) return undefined;
  return after.cores * (1 - (after.idle - before.idle) / (after.total - before.total));
}
