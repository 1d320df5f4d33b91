import { selectRangeTotals, selectToolTotals } from '../analytics/analytics-queries.js';
import { isEmptyRange, resolveRange, type RangeArgs } from '../analytics/analytics-range.js';
import type { ToolCount } from '../analytics/tool-stats.js';
import { validationError, type FieldProblem } from '../errors/api-error.js';
import { defineOperation } from './operation.js';

export const TOP_TOOLS = 5;

/** Argument names are GraphQL's; REST renames them in its error details. */
export interface AnalyticsOverviewArgs extends RangeArgs {
  /** Problems an adapter found while reading raw parameters, reported with the operation's own. */
  syntaxProblems?: readonly FieldProblem[];
}

export interface AnalyticsOverview {
  totalSessions: number;
  totalEvents: number;
  totalToolInvocations: number;
  activeDays: number;
  topTools: ToolCount[];
}

const EMPTY: AnalyticsOverview = Object.freeze({
  totalSessions: 0, totalEvents: 0, totalToolInvocations: 0, activeDays: 0, topTools: [],
});

/** CONTRACT §8 overview of the sessions that started in the range, and all their events. */
export const analyticsOverview = defineOperation<AnalyticsOverviewArgs, AnalyticsOverview>({
  scope: 'read:analytics',
  async run(ctx, args) {
    const problems: FieldProblem[] = [...(args.syntaxProblems ?? [])];
    const range = resolveRange(args, ctx.now(), problems);
    if (problems.length > 0) throw validationError(problems);
    if (isEmptyRange(range)) return { ...EMPTY, topTools: [] };

    const accountId = ctx.principal.accountId;
    const [totals, top] = await Promise.all([
      selectRangeTotals(ctx.db, accountId, range),
      selectToolTotals(ctx.db, accountId, range, TOP_TOOLS),
    ]);
    return {
      totalSessions: totals.sessions,
      totalEvents: totals.events,
      totalToolInvocations: totals.toolInvocations,
      activeDays: totals.activeDays,
      topTools: top.map((t) => ({ name: t.name, invocationCount: t.invocations })),
    };
  },
});
