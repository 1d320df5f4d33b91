import type { ToolTotals } from './analytics-queries.js';

/** A tool as the overview ranks it. */
export interface ToolCount {
  name: string;
  invocationCount: number;
}

/** A tool as GET /api/v1/analytics/tools reports it (docs/api.md#analytics). */
export interface ToolStats extends ToolCount {
  /** Mean `duration_ms` of the tool's results, halves rounded up; null when none had one. */
  avgDurationMs: number | null;
  /** Results with `is_error: true` per invocation, capped at 1; an unrounded float. */
  errorRate: number;
}

/** round-half-up(sumUs / count / 1000), exact while the sum is a safe integer. */
export function meanMillis(sumUs: number, count: number): number | null {
  if (count <= 0) return null;
  if (Number.isSafeInteger(sumUs)) {
    const s = BigInt(sumUs);
    const c = BigInt(count);
    return Number((2n * s + 1000n * c) / (2000n * c));
  }
  return Math.floor(sumUs / count / 1000 + 0.5);
}

export function toolStats(t: ToolTotals): ToolStats {
  return {
    name: t.name,
    invocationCount: t.invocations,
    avgDurationMs: meanMillis(t.durationSumUs, t.durationCount),
    errorRate: Math.min(1, t.errors / t.invocations),
  };
}
