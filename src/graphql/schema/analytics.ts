import type { GraphQLResolveInfo } from 'graphql';
import { estimateRangeSessions } from '../../analytics/analytics-queries.js';
import { isEmptyRange, resolveRange, type RangeArgs } from '../../analytics/analytics-range.js';
import { takeTurn } from '../../limits/take-turn.js';
import type { ToolCount, ToolStats } from '../../analytics/tool-stats.js';
import { validationError, type FieldProblem } from '../../errors/api-error.js';
import { analyticsDays, type AnalyticsDay } from '../../use-cases/analytics-days.js';
import { analyticsOverview, type AnalyticsOverview } from '../../use-cases/analytics-overview.js';
import { analyticsTools, DEFAULT_TOOLS_LIMIT } from '../../use-cases/analytics-tools.js';
import type { AuthorizedContext } from '../../use-cases/use-case.js';
import { authorized } from '../authorized.js';
import { builder } from '../builder.js';
import { itemKeyBytes } from '../item-key-bytes.js';
import type { GraphQLContext } from '../context.js';
import { responsePath } from '../response-path.js';
import { RangeMemo } from '../range-memo.js';

/** The `analytics` field's arguments, and the instant its defaults are taken from. */
export interface AnalyticsRequest {
  range: RangeArgs;
  now: number;
}

/** The use cases see one clock reading per `analytics` field, so overview and tools agree. */
export function at(ctx: GraphQLContext, request: AnalyticsRequest): AuthorizedContext {
  return { ...authorized(ctx), now: () => request.now };
}

/** Per request: the estimate of each range asked for. */
const estimates = new RangeMemo<Promise<number>>('session estimates');

function estimateSessions(ctx: GraphQLContext, request: AnalyticsRequest): Promise<number> {
  const range = resolveRange(request.range, request.now, []);
  if (isEmptyRange(range)) return Promise.resolve(0);
  return estimates.get(ctx.budgets, range, () => estimateRangeSessions(ctx.db, authorized(ctx).principal.accountId, range));
}

/**
 * Charges the rows an analytics field reads (the sessions of its range, once per statement that scans
 * them) before it reads them, then waits for a turn of the event loop, so that the fields asked for
 * together have all charged before the first one reads: a request over the rows limit reads nothing.
 */
async function chargeRange(ctx: GraphQLContext, request: AnalyticsRequest, info: GraphQLResolveInfo, field: string, statements: number): Promise<void> {
  const budget = ctx.budgets.of();
  const sessions = await estimateSessions(ctx, request);
  budget.charge({
    rows: sessions * statements,
    path: responsePath(info.path),
    what: `${field}, about ${sessions} sessions in its range, read by ${statements === 1 ? 'one statement' : `${statements} statements`}`,
    advice: () => 'Ask for a shorter date range, or for fewer analytics fields or aliases at a time.',
  });
  await takeTurn();
  budget.check();
}

/** Tool names are as long as their events made them: charged once read, before the answer is built. */
function chargeNames(ctx: GraphQLContext, info: GraphQLResolveInfo, field: string, names: readonly { name: string }[]): void {
  ctx.budgets.of().charge({
    bytes: names.reduce((sum, t) => sum + Buffer.byteLength(t.name), 0),
    path: responsePath(info.path),
    what: `${field}, ${names.length} tool names`,
    advice: () => 'Ask for fewer tools (a smaller limit) or fewer analytics aliases.',
  });
}

/**
 * The answer's shape counted one day: each day answered, with its keys as spelled, is charged once read.
 * The rows limit bounds them already (a day holds at least one of the sessions charged).
 */
function chargeDays(ctx: GraphQLContext, info: GraphQLResolveInfo, days: readonly AnalyticsDay[]): void {
  const keys = itemKeyBytes(info);
  ctx.budgets.of().charge({
    bytes: days.reduce((sum, d) => sum + keys + Buffer.byteLength(JSON.stringify(d)), 0),
    path: responsePath(info.path),
    what: `Analytics.days, ${days.length} days`,
    advice: () => 'Ask for a shorter date range, or for fewer analytics aliases.',
  });
}

const ToolCountType = builder.objectRef<ToolCount>('ToolCount').implement({
  fields: (t) => ({
    name: t.exposeString('name'),
    invocationCount: t.expose('invocationCount', { type: 'SafeInt', description: 'tool_use events with this tool_name.' }),
  }),
});

const OverviewType = builder.objectRef<AnalyticsOverview>('AnalyticsOverview').implement({
  fields: (t) => ({
    totalSessions: t.expose('totalSessions', { type: 'SafeInt' }),
    totalEvents: t.expose('totalEvents', { type: 'SafeInt' }),
    totalToolInvocations: t.expose('totalToolInvocations', { type: 'SafeInt' }),
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
    invocationCount: t.expose('invocationCount', { type: 'SafeInt' }),
    avgDurationMs: t.field({
      type: 'SafeInt',
      nullable: true,
      description: 'Mean duration_ms of its tool_result events, halves rounded up; null when none had one.',
      resolve: (s) => s.avgDurationMs,
    }),
    errorRate: t.exposeFloat('errorRate', { description: 'tool_result events with is_error true per invocation, at most 1.' }),
  }),
});

const AnalyticsDayType = builder.objectRef<AnalyticsDay>('AnalyticsDay').implement({
  description: 'The sessions of the range that started on one UTC day, and all their events (even those on later days).',
  fields: (t) => ({
    day: t.expose('day', { type: 'Date', description: 'The UTC day the sessions started on.' }),
    sessions: t.expose('sessions', { type: 'SafeInt', description: 'Sessions that started on that day.' }),
    events: t.expose('events', { type: 'SafeInt', description: 'Sum of their event counts.' }),
    toolInvocations: t.expose('toolInvocations', { type: 'SafeInt', description: 'Sum of their tool invocations.' }),
  }),
});

export const AnalyticsType = builder.objectRef<AnalyticsRequest>('Analytics').implement({
  description: 'Figures over the sessions that started in the range, and all their events.',
  fields: (t) => ({
    overview: t.field({
      type: OverviewType,
      resolve: async (request, _args, ctx, info) => {
        await chargeRange(ctx, request, info, 'Analytics.overview', 2);
        const overview = await analyticsOverview.run(at(ctx, request), request.range);
        chargeNames(ctx, info, 'Analytics.overview', overview.topTools);
        return overview;
      },
    }),
    tools: t.field({
      type: [ToolStatsType],
      description: 'Tools invoked in the range, by invocationCount descending, then name.',
      args: {
        limit: t.arg.int({ defaultValue: DEFAULT_TOOLS_LIMIT, description: 'Default 10; above 50 is applied as 50; below 1 is an error.' }),
      },
      resolve: async (request, args, ctx, info) => {
        await chargeRange(ctx, request, info, 'Analytics.tools', 1);
        const tools = await analyticsTools.run(at(ctx, request), { ...request.range, limit: args.limit });
        chargeNames(ctx, info, 'Analytics.tools', tools);
        return tools;
      },
    }),
    days: t.field({
      type: [AnalyticsDayType],
      description:
        'The sessions that started in the range, by the UTC day each started on: one item per UTC day with at least one, ' +
        'by day ascending. They add up to overview\'s totalSessions, totalEvents and totalToolInvocations, and number activeDays.',
      resolve: async (request, _args, ctx, info) => {
        await chargeRange(ctx, request, info, 'Analytics.days', 1);
        const days = await analyticsDays.run(at(ctx, request), request.range);
        chargeDays(ctx, info, days);
        return days;
      },
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
