/** The per-session counters kept from Claude Code's OTLP metrics. */
export const SESSION_METRICS = [
  'active_time_user_seconds',
  'active_time_cli_seconds',
  'lines_added',
  'lines_removed',
  'commits',
  'pull_requests',
] as const;

export type SessionMetricName = (typeof SESSION_METRICS)[number];

/**
 * One data point of a kept counter. Delta points are keyed by their interval (`d:<start>:<time>`): each interval
 * counts once, a retry is a duplicate. Cumulative points are keyed by their series' start (`c:<start>`): the store
 * keeps the largest value, the series' latest total. A session's total of a metric is the sum of its kept points.
 */
export interface MetricPoint {
  sessionId: string;
  metric: SessionMetricName;
  /** A stable hash of the point's attributes (other than its value and times). */
  series: string;
  pointKey: string;
  cumulative: boolean;
  value: number;
}
