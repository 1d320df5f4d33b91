import type { MetricSum } from './usage-queries.js';

/** A session's OTLP counters: each the sum of its kept points (metric-point.ts). */
export interface SessionActivity {
  activeTimeUserSeconds: number;
  activeTimeCliSeconds: number;
  linesAdded: number;
  linesRemoved: number;
  commits: number;
  pullRequests: number;
}

/** The activity of one session from its metric sums; null when it has no metric rows. */
export function toSessionActivity(sums: readonly MetricSum[]): SessionActivity | null {
  if (sums.length === 0) return null;
  const total = (metric: string) => sums.filter((s) => s.metric === metric).reduce((sum, s) => sum + s.total, 0);
  // Counts arrive as doubles (OTLP sums); a count is whole, whatever rounding the exporter did.
  const count = (metric: string) => Math.round(total(metric));
  return {
    activeTimeUserSeconds: total('active_time_user_seconds'),
    activeTimeCliSeconds: total('active_time_cli_seconds'),
    linesAdded: count('lines_added'),
    linesRemoved: count('lines_removed'),
    commits: count('commits'),
    pullRequests: count('pull_requests'),
  };
}
