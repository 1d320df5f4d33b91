import { analyticsOverview, type AnalyticsOverview } from '../use-cases/analytics-overview.js';
import { runGuarded } from '../use-cases/use-case.js';
import { QueryParams, RANGE_PARAMS } from './query-params.js';
import type { RestRoute } from './route.js';

/** The overview body (docs/api.md#analytics): exactly these keys, in this order. */
export function restOverview(o: AnalyticsOverview) {
  return {
    data: {
      total_sessions: o.totalSessions,
      total_events: o.totalEvents,
      total_tool_invocations: o.totalToolInvocations,
      active_days: o.activeDays,
      top_tools: o.topTools.map((t) => ({ name: t.name, invocation_count: t.invocationCount })),
    },
  };
}

export const analyticsOverviewRoute: RestRoute = {
  needs: 'apiKey',
  path: '/api/v1/analytics/overview',
  methods: {
    GET: async ({ url, ctx }) => {
      const overview = await runGuarded(analyticsOverview, ctx, () => {
        const q = new QueryParams(url.searchParams);
        return {
          startDate: q.date(RANGE_PARAMS.startDate),
          endDate: q.date(RANGE_PARAMS.endDate),
          syntaxProblems: q.problems,
          names: RANGE_PARAMS,
        };
      });
      return { status: 200, body: restOverview(overview) };
    },
  },
};
