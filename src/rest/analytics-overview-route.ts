import { analyticsOverview, type AnalyticsOverview } from '../operations/analytics-overview.js';
import { runGuarded } from '../operations/operation.js';
import { QueryParams } from './query-params.js';
import type { RestRoute } from './route.js';

/** CONTRACT §8's overview body: exactly these keys, in this order. */
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
  path: '/api/v1/analytics/overview',
  methods: {
    GET: async ({ url, ctx }) => {
      const overview = await runGuarded(analyticsOverview, ctx, () => {
        const q = new QueryParams(url.searchParams);
        return { startDate: q.date('start_date'), endDate: q.date('end_date'), syntaxProblems: q.problems };
      });
      return { status: 200, body: restOverview(overview) };
    },
  },
};
