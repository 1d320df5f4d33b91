import { selectToolTotals } from '../analytics/analytics-queries.js';
import { isEmptyRange, resolveRange, type RangeArgs } from '../analytics/analytics-range.js';
import { toolStats, type ToolStats } from '../analytics/tool-stats.js';
import { validationError, type FieldProblem } from '../errors/api-error.js';
import { callerName, inCallerNames, type ArgumentNames } from './argument-names.js';
import { defineUseCase } from './use-case.js';

export const DEFAULT_TOOLS_LIMIT = 10;
export const MAX_TOOLS_LIMIT = 50;

export interface AnalyticsToolsArgs extends RangeArgs {
  limit?: number | null;
  /** Problems an adapter found while reading raw parameters (named as the caller sent them), reported with the use case's own. */
  syntaxProblems?: readonly FieldProblem[];
  /** The caller's spelling of these arguments, for the problems the use case reports. */
  names?: ArgumentNames;
}

/**
 * Per-tool figures over the sessions that started in the range (docs/api.md#analytics): tools invoked at
 * least once (a name seen only on results has no invocation count to rank or divide by),
 * by invocation count descending, then name.
 */
export const analyticsTools = defineUseCase<AnalyticsToolsArgs, ToolStats[]>({
  scope: 'read:analytics',
  async run(ctx, args) {
    const problems: FieldProblem[] = [...(args.syntaxProblems ?? [])];
    const reported = new Set(problems.map((p) => p.field));
    const limitName = callerName(args.names, 'limit');
    const requestedLimit = args.limit ?? DEFAULT_TOOLS_LIMIT;
    // Any integer above the maximum is applied as the maximum, however large.
    if (!reported.has(limitName) && (!(Number.isInteger(requestedLimit) || requestedLimit === Infinity) || requestedLimit < 1)) {
      problems.push({ field: limitName, message: 'must be an integer of at least 1' });
    }
    const rangeProblems: FieldProblem[] = [];
    const range = resolveRange(args, ctx.now(), rangeProblems);
    problems.push(...inCallerNames(args.names, rangeProblems));
    if (problems.length > 0) throw validationError(problems);
    if (isEmptyRange(range)) return [];

    const limit = Math.min(requestedLimit, MAX_TOOLS_LIMIT);
    const totals = await selectToolTotals(ctx.readsOffLoop, ctx.principal.accountId, range, limit);
    return totals.map(toolStats);
  },
});
