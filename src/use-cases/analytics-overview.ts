import { selectRangeTotals, selectToolTotals } from '../analytics/analytics-queries.js';
import { isEmptyRange, resolveRange, type RangeArgs } from '../analytics/analytics-range.js';
import type { ToolCount } from '../analytics/tool-stats.js';
import { validationError, type FieldProblem } from '../errors/api-error.js';
import { inCallerNames, type ArgumentNames } from './argument-names.js';
import { defineUseCase } from './use-case.js';

export const TOP_TOOLS = 5;

export interface AnalyticsOverviewArgs extends RangeArgs {
  /** Problems an adapter found while reading raw parameters (named as the caller sent them), reported with the use case's own. */
  syntaxProblems?: readonly FieldProblem[];
  /** The caller's spelling of these arguments, for the problems the use case reports. */
  names?: ArgumentNames;
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

/** The analytics overview (docs/api.md#analytics) of the sessions that started in the range, and all their events. */
export const analyticsOverview = defineUseCase<AnalyticsOverviewArgs, AnalyticsOverview>({
  scope: 'read:analytics',
  async run(ctx, args) {
    const problems: FieldProblem[] = [...(args.syntaxProblems ?? [])];
    const rangeProblems: FieldProblem[] = [];
    const range = resolveRange(args, ctx.now(), rangeProblems);
    problems.push(...inCallerNames(args.names, rangeProblems));
    if (problems.length > 0) throw validationError(problems);
    if (isEmptyRange(range)) return { ...EMPTY, topTools: [] };

    const accountId = ctx.principal.accountId;
    const [totals, top] = await Promise.all([
      selectRangeTotals(ctx.readsOffLoop, accountId, range),
      selectToolTotals(ctx.readsOffLoop, accountId, range, TOP_TOOLS),
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
