import { ingestEvents, MAX_BATCH_SIZE } from '../use-cases/ingest-events.js';
import { ingestTelemetry } from '../use-cases/ingest-telemetry.js';
import { runGuarded } from '../use-cases/use-case.js';
import type { UseCaseContext } from '../use-cases/use-case-context.js';
import type { ModelRequest, ModelRequestError } from '../usage/model-request.js';
import type { MetricPoint } from '../usage/metric-point.js';
import type { DemoEvent, DemoSession } from './demo-events.js';

/** What storing generated sessions did. */
export interface DemoStoreSummary {
  sessions: number;
  /** Events sent, new or not. */
  events: number;
  /** Events that were new. */
  stored: number;
  /** Events already stored. */
  duplicates: number;
  /** Model requests sent (one known from both a transcript and OTLP counts once); each is stored once, however often sent. */
  modelRequests: number;
  apiErrors: number;
  counterPoints: number;
}

/** Usage rows (requests, failures, points) sent in one OTLP-like delivery: about what one transaction should hold. */
const USAGE_ITEMS_PER_DELIVERY = 5_000;

/**
 * Stores generated sessions through the ingestion use cases, as the caller in `ctx`: their events as batches of
 * POST /api/v1/events (at most 1,000 events each), their model usage, when `withUsage`, as deliveries of the OTLP
 * export without events. `progress` is told after each batch of events.
 */
export async function storeDemoSessions(
  ctx: UseCaseContext,
  sessions: Iterable<DemoSession>,
  options: { withUsage: boolean; progress?: (summary: Readonly<DemoStoreSummary>) => void },
): Promise<DemoStoreSummary> {
  const summary: DemoStoreSummary = { sessions: 0, events: 0, stored: 0, duplicates: 0, modelRequests: 0, apiErrors: 0, counterPoints: 0 };
  let events: DemoEvent[] = [];
  let usage = { modelRequests: [] as ModelRequest[], errors: [] as ModelRequestError[], metricPoints: [] as MetricPoint[] };
  let usageItems = 0;

  const flushEvents = async () => {
    if (events.length === 0) return;
    const batch = events;
    events = [];
    const result = await runGuarded(ingestEvents, ctx, () => ({ events: batch }));
    summary.events += batch.length;
    summary.stored += result.accepted - result.duplicates;
    summary.duplicates += result.duplicates;
    options.progress?.(summary);
  };
  const flushUsage = async () => {
    if (usageItems === 0) return;
    const batch = usage;
    usage = { modelRequests: [], errors: [], metricPoints: [] };
    usageItems = 0;
    await runGuarded(ingestTelemetry, ctx, () => ({ events: [], usage: batch }));
  };

  for (const session of sessions) {
    if (events.length + session.events.length > MAX_BATCH_SIZE) await flushEvents();
    events.push(...session.events);
    summary.sessions += 1;
    if (!options.withUsage) continue;
    const { modelRequests, errors, metricPoints } = session.usage;
    usage.modelRequests.push(...modelRequests);
    usage.errors.push(...errors);
    usage.metricPoints.push(...metricPoints);
    usageItems += modelRequests.length + errors.length + metricPoints.length;
    summary.modelRequests += new Set(modelRequests.map((r) => r.requestKey)).size;
    summary.apiErrors += errors.length;
    summary.counterPoints += metricPoints.length;
    if (usageItems >= USAGE_ITEMS_PER_DELIVERY) await flushUsage();
  }
  await flushEvents();
  await flushUsage();
  return summary;
}
