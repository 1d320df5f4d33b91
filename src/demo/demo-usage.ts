import { costUsd } from '../usage/model-price.js';
import type { ModelRequest } from '../usage/model-request.js';
import { PriceTable } from '../usage/price-table.js';
import type { UsageBatch } from '../usage/store-usage.js';
import type { DemoCounter } from './demo-counters.js';
import type { DemoConversation, DemoRequest } from './demo-conversation.js';
import type { TelemetrySource } from './demo-telemetry-source.js';

const LIST_PRICES = PriceTable.bundled();

/** Claude Code's own estimate of a request (OTLP `cost_usd`): its tokens at the list prices, 1-hour writes as such. */
function claudeCodeEstimateNanos(r: DemoRequest): number {
  const price = LIST_PRICES.priceFor(r.model);
  return price === null ? 0 : Math.round(costUsd(r, price, false) * 1e9);
}

/** A transcript line's usage: cache writes split by lifetime, no cost. */
function fromTranscript(sessionId: string, r: DemoRequest, shift: number): ModelRequest {
  return {
    sessionId, requestKey: r.requestId, model: r.model, ts: r.at - shift,
    inputTokens: r.inputTokens, outputTokens: r.outputTokens,
    cacheWrite5mTokens: r.cacheWrite5mTokens, cacheWrite1hTokens: r.cacheWrite1hTokens, cacheReadTokens: r.cacheReadTokens,
    reportedCostNanos: null, fast: false, source: 'transcript',
  };
}

/** An OTLP `api_request`: every cache write in one count (OTLP does not split them), with Claude Code's estimate. */
function fromOtlp(sessionId: string, r: DemoRequest, shift: number): ModelRequest {
  return {
    sessionId, requestKey: r.requestId, model: r.model, ts: r.at - shift,
    inputTokens: r.inputTokens, outputTokens: r.outputTokens,
    cacheWrite5mTokens: r.cacheWrite5mTokens + r.cacheWrite1hTokens, cacheWrite1hTokens: 0, cacheReadTokens: r.cacheReadTokens,
    reportedCostNanos: claudeCodeEstimateNanos(r), fast: false, source: 'otlp',
  };
}

/**
 * What the gateway learns of a generated session's model usage from `source`, with every instant moved back by
 * `shift` ms: a transcript gives the requests it holds; the OTLP export gives every request, the failed ones and the
 * counters; both give both, joined on the request id.
 */
export function demoUsage(sessionId: string, conversation: DemoConversation, counters: readonly DemoCounter[], source: TelemetrySource, shift: number): UsageBatch {
  const exported = source !== 'transcript';
  const imported = source !== 'otlp';
  const modelRequests: ModelRequest[] = [];
  for (const r of conversation.requests) {
    if (imported && r.inTranscript) modelRequests.push(fromTranscript(sessionId, r, shift));
    if (exported) modelRequests.push(fromOtlp(sessionId, r, shift));
  }
  if (!exported) return { modelRequests, errors: [], metricPoints: [] };
  return {
    modelRequests,
    errors: conversation.failures.map((f) => ({ sessionId, errorKey: f.requestId, model: f.model, ts: f.at - shift, statusCode: f.statusCode })),
    metricPoints: counters.map((c) => ({
      sessionId, metric: c.metric, series: c.series, pointKey: `d:${c.fromEvent}:${c.toEvent}`, cumulative: false, value: c.value,
    })),
  };
}
