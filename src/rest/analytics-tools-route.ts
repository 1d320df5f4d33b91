import type { ToolStats } from '../analytics/tool-stats.js';
import { analyticsTools } from '../use-cases/analytics-tools.js';
import { runGuarded } from '../use-cases/use-case.js';
import { QueryParams, RANGE_PARAMS } from './query-params.js';
import type { RestRoute } from './route.js';

/** The tools body (docs/api.md#analytics): exactly these keys, in this order. */
export function restTools(tools: readonly ToolStats[]) {
  return {
    data: {
      tools: tools.map((t) => ({
        name: t.name,
        invocation_count: t.invocationCount,
        avg_duration_ms: t.avgDurationMs,
        error_rate: t.errorRate,
      })),
    },
  };
}

export const analyticsToolsRoute: RestRoute = {
  needs: 'apiKey',
  path: '/api/v1/analytics/tools',
  methods: {
    GET: async ({ url, ctx }) => {
      const tools = await runGuarded(analyticsTools, ctx, () => {
        const q = new QueryParams(url.searchParams);
        return {
          limit: q.integer('limit'),
          startDate: q.date(RANGE_PARAMS.startDate),
          endDate: q.date(RANGE_PARAMS.endDate),
          syntaxProblems: q.problems,
          names: RANGE_PARAMS,
        };
      });
      return { status: 200, body: restTools(tools) };
    },
  },
};
