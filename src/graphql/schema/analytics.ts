import { resolveRange, type RangeArgs } from '../../analytics/analytics-range.js';
import type { ToolCount, ToolStats } from '../../analytics/tool-stats.js';
import { validationError, type FieldProblem } from '../../errors/api-error.js';
import { analyticsOverview, type AnalyticsOverview } from '../../use-cases/analytics-overview.js';
import { analyticsTools, DEFAULT_TOOLS_LIMIT } from '../../use-cases/analytics-tools.js';
import type { AuthorizedContext } from '../../use-cases/use-case.js';
import { authorized } from '../authorized.js';
import { builder } from '../builder.js';
import type { GraphQLContext } from '../context.js';

/** The `analytics` field's arguments, and the instant its defaults are taken from. */
interface AnalyticsRequest {
  range: RangeArgs;
  now: number;
}

/** The use cases see one clock reading per `analytics` field, so overview and tools agree. */
function at(ctx: GraphQLContext, request: AnalyticsRequest): AuthorizedContext {
  return { ...authorized(ctx), now: () => request.now };
}

const ToolCountType = builder.objectRef<ToolCount>('ToolCount').implement({
  fields: (t) => ({
    name: t.exposeString('name'),
    invocationCount: t.field({ type: 'SafeInt', description: 'tool_use events with this tool_name.', resolve: (c) => c.invocationCount }),
  }),
});

const OverviewType = builder.objectRef<AnalyticsOverview>('AnalyticsOverview').implement({
  fields: (t) => ({
    totalSessions: t.field({ type: 'SafeInt', resolve: (o) => o.totalSessions }),
    totalEvents: t.field({ type: 'SafeInt', resolve: (o) => o.totalEvents }),
    totalToolInvocations: t.field({ type: 'SafeInt', resolve: (o) => o.totalToolInvocations }),
    activeDays: t.exposeInt('activeDays', { description: 'Distinct UTC calendar days on which a session started.' }),
    topTools: t.field({
      type: [ToolCountType],
      description: 'At most 5, by invocationCount descending, then name.',
      resolve: (o) => o.topTools,
    }),
  }),
});

const ToolStatsType = builder.objectRef<ToolStats>('ToolStats').implement({
  fields: (t) => ({
    name: t.exposeString('name'),
    invocationCount: t.field({ type: 'SafeInt', resolve: (s) => s.invocationCount }),
    avgDurationMs: t.field({
      type: 'SafeInt',
      nullable: true,
      description: 'Mean duration_ms of its tool_result events, halves rounded up; null when none had one.',
      resolve: (s) => s.avgDurationMs,
    }),
    errorRate: t.exposeFloat('errorRate', { description: 'tool_result events with is_error true per invocation, at most 1.' }),
  }),
});

const AnalyticsType = builder.objectRef<AnalyticsRequest>('Analytics').implement({
  description: 'Figures over the sessions that started in the range, and all their events.',
  fields: (t) => ({
    overview: t.field({
      type: OverviewType,
      resolve: (request, _args, ctx) => analyticsOverview.run(at(ctx, request), request.range),
    }),
    tools: t.field({
      type: [ToolStatsType],
      description: 'Tools invoked in the range, by invocationCount descending, then name.',
      args: {
        limit: t.arg.int({ defaultValue: DEFAULT_TOOLS_LIMIT, description: 'Default 10; above 50 is applied as 50; below 1 is an error.' }),
      },
      resolve: (request, args, ctx) => analyticsTools.run(at(ctx, request), { ...request.range, limit: args.limit }),
    }),
  }),
});

builder.queryField('analytics', (t) =>
  t.field({
    type: AnalyticsType,
    nullable: true,
    description:
      'Analytics of the caller\'s sessions that started within [startDate, endDate] ' +
      '(default: the 30 days before now). Needs read:analytics.',
    args: {
      startDate: t.arg({ type: 'DateTime', description: 'Default: 30 days before now.' }),
      endDate: t.arg({ type: 'DateTime', description: 'Default: now.' }),
    },
    authScopes: { scope: analyticsOverview.scope },
    resolve: (_root, args, ctx) => {
      const request: AnalyticsRequest = { range: { startDate: args.startDate, endDate: args.endDate }, now: ctx.now() };
      // Range errors belong to this field, whichever of overview and tools is asked for.
      const problems: FieldProblem[] = [];
      resolveRange(request.range, request.now, problems);
      if (problems.length > 0) throw validationError(problems);
      return request;
    },
  }),
);
