import type { ToolStats } from '../analytics/tool-stats.js';
import { analyticsTools } from '../operations/analytics-tools.js';
import { runGuarded } from '../operations/operation.js';
import { QueryParams } from './query-params.js';
import type { RestRoute } from './route.js';

/** CONTRACT §8's tools body: exactly these keys, in this order. */
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
  path: '/api/v1/analytics/tools',
  methods: {
    GET: async ({ url, ctx }) => {
      const tools = await runGuarded(analyticsTools, ctx, () => {
        const q = new QueryParams(url.searchParams);
        return {
          limit: q.integer('limit'),
          startDate: q.date('start_date'),
          endDate: q.date('end_date'),
          syntaxProblems: q.problems,
        };
      });
      return { status: 200, body: restTools(tools) };
    },
  },
};
