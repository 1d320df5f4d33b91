/**
 * What Claude Code's OTLP metrics become: per-session counter points. Pure: no I/O, no clock.
 *
 * - Kept: `claude_code.active_time.total` (attribute `type` user → `active_time_user_seconds`, cli →
 *   `active_time_cli_seconds`), `claude_code.lines_of_code.count` (`type` added → `lines_added`, removed →
 *   `lines_removed`), `claude_code.commit.count` (`commits`), `claude_code.pull_request.count` (`pull_requests`).
 * - Dropped (counted, not rejected): every other metric, token and cost usage included (model requests come from
 *   `api_request` events), and points of a kept metric whose `type` is missing or unknown.
 * - Rejected: points of a kept metric that is not a sum with delta or cumulative temporality; points without a
 *   `session.id` (the point's, else the resource's) that is an RFC 4122 UUID; points without a value, or with a
 *   negative or non-finite one. Values may be integers or doubles.
 * - A point's series is a digest of its attributes (whatever their order and whether numbers came as strings).
 *   A delta point (temporality 1) is keyed `d:<startTimeUnixNano>:<timeUnixNano>`: each interval counts once and a
 *   retried export repeats it. A cumulative point (temporality 2) is keyed `c:<startTimeUnixNano>`: the store keeps
 *   the largest value per key, the latest total of that series since its start. So a session's total of a metric is
 *   the sum of its kept points, whatever the order, repetition or temporality of the exports.
 */
import { normalizeSessionId } from '../ingest/session-id.js';
import type { MetricPoint, SessionMetricName } from '../usage/metric-point.js';
import { attributesDigest, attrText } from './otlp-attribute.js';
import type { OtlpMetric, OtlpMetrics, OtlpNumberPoint } from './otlp-records.js';

export interface TelemetryFromMetrics {
  points: MetricPoint[];
  /** Data points that could not be used. */
  rejected: number;
  /** A few distinct reasons, for the answer's `partialSuccess.errorMessage`. */
  rejectedReasons: string[];
  /** Data points of metrics (or types) the gateway does not keep. */
  dropped: number;
}

const MAX_REASONS = 5;

/** Kept metrics: the session metric a point counts toward, by its `type` attribute (or regardless of it). */
const KEPT: Readonly<Record<string, (type: string | null) => SessionMetricName | null>> = {
  'claude_code.active_time.total': (type) =>
    type === 'user' ? 'active_time_user_seconds' : type === 'cli' ? 'active_time_cli_seconds' : null,
  'claude_code.lines_of_code.count': (type) => (type === 'added' ? 'lines_added' : type === 'removed' ? 'lines_removed' : null),
  'claude_code.commit.count': () => 'commits',
  'claude_code.pull_request.count': () => 'pull_requests',
};

function pointValue(point: OtlpNumberPoint): number | null {
  if (point.value === null) return null;
  const n = Number(point.value.value);
  return Number.isFinite(n) && n >= 0 ? n : null;
}

/** Why a kept metric's points cannot be counted at all; null when they can. */
function unusableMetric(metric: OtlpMetric): string | null {
  if (metric.kind !== 'sum') return `${metric.name}: is not a sum`;
  if (metric.temporality !== 1 && metric.temporality !== 2) return `${metric.name}: has no aggregation temporality`;
  return null;
}

/** Claude Code's metrics as per-session counter points, by the rules above. */
export function telemetryFromMetrics(metrics: OtlpMetrics): TelemetryFromMetrics {
  const out: TelemetryFromMetrics = { points: [], rejected: 0, rejectedReasons: [], dropped: 0 };
  const reject = (count: number, reason: string) => {
    out.rejected += count;
    if (out.rejectedReasons.length < MAX_REASONS && !out.rejectedReasons.includes(reason)) out.rejectedReasons.push(reason);
  };
  for (const resource of metrics.resources) {
    for (const scope of resource.scopes) {
      for (const metric of scope.metrics) {
        const metricFor = KEPT[metric.name];
        if (metricFor === undefined) {
          out.dropped += metric.pointCount;
          continue;
        }
        const unusable = unusableMetric(metric);
        if (unusable !== null) {
          if (metric.pointCount > 0) reject(metric.pointCount, unusable);
          continue;
        }
        const cumulative = metric.temporality === 2;
        for (const point of metric.points) {
          const sessionMetric = metricFor(attrText(point.attributes, 'type'));
          if (sessionMetric === null) {
            out.dropped += 1;
            continue;
          }
          const rawSession = attrText(point.attributes, 'session.id') ?? attrText(resource.attributes, 'session.id');
          const sessionId = normalizeSessionId(rawSession);
          if (sessionId === null) {
            reject(1, rawSession === null ? `${metric.name}: session.id is missing` : `${metric.name}: session.id is not a UUID`);
            continue;
          }
          const value = pointValue(point);
          if (value === null) {
            reject(1, `${metric.name}: the value is missing, negative or not finite`);
            continue;
          }
          out.points.push({
            sessionId,
            metric: sessionMetric,
            series: attributesDigest(point.attributes),
            pointKey: cumulative ? `c:${point.startTimeUnixNano}` : `d:${point.startTimeUnixNano}:${point.timeUnixNano}`,
            cumulative,
            value,
          });
        }
      }
    }
  }
  return out;
}
