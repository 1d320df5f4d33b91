import { costUsd } from './model-price.js';
import type { PriceTable } from './price-table.js';
import type { UsagePart } from './usage-queries.js';
import { byCodeUnit } from '../by-code-unit.js';

/** Claude Code's name for messages it wrote itself: never sent to a model, no tokens, no price. */
export const SYNTHETIC_MODEL = '<synthetic>';

/** Tokens, cost and counts of a set of model requests (a session's, a day's, a model's). */
export interface UsageSummary {
  inputTokens: number;
  outputTokens: number;
  /** Cache writes, 5-minute and 1-hour together. */
  cacheCreationTokens: number;
  cacheReadTokens: number;
  totalTokens: number;
  /**
   * Per request: with transcript data, its tokens at the price table's price (else Claude Code's estimate);
   * known from OTLP alone, Claude Code's estimate (else the price table's). 0 for a request with neither.
   */
  costUsd: number;
  /** Sum of Claude Code's own estimates; null when no request has one. */
  reportedCostUsd: number | null;
  /** Sum over the requests whose model has a price; null when none has. */
  computedCostUsd: number | null;
  /** Distinct models, sorted; '' (unknown) and `<synthetic>` left out. */
  models: string[];
  /** Distinct models, sorted, of requests counted at 0 in `costUsd`: no price and no estimate ('' for an unknown model). */
  unpricedModels: string[];
  requests: number;
  apiErrors: number;
}


function comparePart(a: UsagePart, b: UsagePart): number {
  return byCodeUnit(a.model, b.model) || Number(a.fast) - Number(b.fast) || Number(a.fromTranscript) - Number(b.fromTranscript) ||
    Number(a.reported) - Number(b.reported);
}

/**
 * Folds the parts of one set of requests and its error count into its summary. Each part is priced once on its
 * summed tokens (cost is linear), so the summary does not depend on how the requests were grouped.
 */
export function summarizeUsage(parts: readonly UsagePart[], apiErrors: number, prices: PriceTable): UsageSummary {
  let inputTokens = 0;
  let outputTokens = 0;
  let cacheCreationTokens = 0;
  let cacheReadTokens = 0;
  let shown = 0;
  let reportedNanos: number | null = null;
  let computed: number | null = null;
  let requests = 0;
  const models = new Set<string>();
  const unpriced = new Set<string>();
  // One order for the float sums, whatever order the rows came in: the same requests always sum to the same figure.
  for (const p of [...parts].sort(comparePart)) {
    inputTokens += p.inputTokens;
    outputTokens += p.outputTokens;
    cacheCreationTokens += p.cacheWrite5mTokens + p.cacheWrite1hTokens;
    cacheReadTokens += p.cacheReadTokens;
    requests += p.requests;
    if (p.model !== '' && p.model !== SYNTHETIC_MODEL) models.add(p.model);
    const price = prices.priceFor(p.model);
    const priced = price ? costUsd(p, price, p.fast) : null;
    const reported = p.reported ? p.reportedCostNanos / 1e9 : null;
    if (priced !== null) computed = (computed ?? 0) + priced;
    if (p.reported) reportedNanos = (reportedNanos ?? 0) + p.reportedCostNanos;
    const cost = p.fromTranscript ? (priced ?? reported) : (reported ?? priced);
    if (cost !== null) shown += cost;
    else if (p.model !== SYNTHETIC_MODEL) unpriced.add(p.model);
  }
  return {
    inputTokens,
    outputTokens,
    cacheCreationTokens,
    cacheReadTokens,
    totalTokens: inputTokens + outputTokens + cacheCreationTokens + cacheReadTokens,
    costUsd: shown,
    reportedCostUsd: reportedNanos === null ? null : reportedNanos / 1e9,
    computedCostUsd: computed,
    models: [...models].sort(byCodeUnit),
    unpricedModels: [...unpriced].sort(byCodeUnit),
    requests,
    apiErrors,
  };
}
