import { formatUtc } from '../time/iso-time.js';
import { analyticsUsage, USAGE_GROUPINGS, type UsageGroup } from '../use-cases/analytics-usage.js';
import { runGuarded } from '../use-cases/use-case.js';
import { QueryParams, RANGE_PARAMS } from './query-params.js';
import type { RestRoute } from './route.js';

const NAMES = { ...RANGE_PARAMS, groupBy: 'group_by' } as const;

/** One usage group as REST writes it (docs/api.md#analytics): `day` or `model` first, then exactly these keys, in this order. */
function restUsageGroup(g: UsageGroup) {
  return {
    ...(g.day !== null ? { day: formatUtc(g.day).slice(0, 10) } : { model: g.model }),
    input_tokens: g.inputTokens,
    output_tokens: g.outputTokens,
    cache_creation_tokens: g.cacheCreationTokens,
    cache_read_tokens: g.cacheReadTokens,
    total_tokens: g.totalTokens,
    cost_usd: g.costUsd,
    reported_cost_usd: g.reportedCostUsd,
    computed_cost_usd: g.computedCostUsd,
    models: g.models,
    unpriced_models: g.unpricedModels,
    requests: g.requests,
    api_errors: g.apiErrors,
  };
}

export function restUsage(groups: readonly UsageGroup[]) {
  return { data: groups.map(restUsageGroup) };
}

export const analyticsUsageRoute: RestRoute = {
  needs: 'apiKey',
  path: '/api/v1/analytics/usage',
  methods: {
    GET: async ({ url, ctx }) => {
      const groups = await runGuarded(analyticsUsage, ctx, () => {
        const q = new QueryParams(url.searchParams);
        return {
          groupBy: q.oneOf(NAMES.groupBy, USAGE_GROUPINGS),
          startDate: q.date(NAMES.startDate),
          endDate: q.date(NAMES.endDate),
          syntaxProblems: q.problems,
          names: NAMES,
        };
      });
      return { status: 200, body: restUsage(groups) };
    },
  },
};
