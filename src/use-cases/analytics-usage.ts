import { isEmptyRange, resolveRange, type RangeArgs } from '../analytics/analytics-range.js';
import { validationError, type FieldProblem } from '../errors/api-error.js';
import { dayStart } from '../time/utc-days.js';
import { selectErrorCounts, selectUsageParts, type UsagePart } from '../usage/usage-queries.js';
import { summarizeUsage, type UsageSummary } from '../usage/usage-summary.js';
import { callerName, inCallerNames, type ArgumentNames } from './argument-names.js';
import { defineUseCase } from './use-case.js';
import { byCodeUnit } from '../by-code-unit.js';

export const USAGE_GROUPINGS = ['day', 'model'] as const;
export type UsageGrouping = (typeof USAGE_GROUPINGS)[number];
export const DEFAULT_USAGE_GROUPING: UsageGrouping = 'day';


export interface AnalyticsUsageArgs extends RangeArgs {
  groupBy?: UsageGrouping | null;
  /** Problems an adapter found while reading raw parameters (named as the caller sent them), reported with the use case's own. */
  syntaxProblems?: readonly FieldProblem[];
  /** The caller's spelling of these arguments, for the problems the use case reports. */
  names?: ArgumentNames;
}

/** The usage of the requests made on one UTC day (`day`: its first instant) or with one model. */
export interface UsageGroup extends UsageSummary {
  day: number | null;
  model: string | null;
}


/**
 * Model usage (tokens, cost, requests, failed requests) of the requests made within the range, by the request's own
 * instant (not its session's start): one group per UTC day with a request or an error, ascending, or per model,
 * by costUsd descending, then model.
 */
export const analyticsUsage = defineUseCase<AnalyticsUsageArgs, UsageGroup[]>({
  scope: 'read:analytics',
  async run(ctx, args) {
    const problems: FieldProblem[] = [...(args.syntaxProblems ?? [])];
    const groupName = callerName(args.names, 'groupBy');
    const groupBy = args.groupBy ?? DEFAULT_USAGE_GROUPING;
    if (!problems.some((p) => p.field === groupName) && !USAGE_GROUPINGS.includes(groupBy)) {
      problems.push({ field: groupName, message: `must be one of: ${USAGE_GROUPINGS.join(', ')}` });
    }
    const rangeProblems: FieldProblem[] = [];
    const range = resolveRange(args, ctx.now(), rangeProblems);
    problems.push(...inCallerNames(args.names, rangeProblems));
    if (problems.length > 0) throw validationError(problems);
    if (isEmptyRange(range)) return [];

    const accountId = ctx.principal.accountId;
    const [parts, errors] = await Promise.all([
      selectUsageParts(ctx.readsOffLoop, accountId, range, groupBy),
      selectErrorCounts(ctx.readsOffLoop, accountId, range, groupBy),
    ]);
    const partsByKey = new Map<string | number, UsagePart[]>();
    for (const p of parts) {
      const held = partsByKey.get(p.key);
      if (held) held.push(p);
      else partsByKey.set(p.key, [p]);
    }
    const errorsByKey = new Map(errors.map((e) => [e.key, e.errors]));
    const keys = new Set([...partsByKey.keys(), ...errorsByKey.keys()]);
    const groups: UsageGroup[] = [...keys].map((key) => ({
      day: groupBy === 'day' ? dayStart(Number(key)) : null,
      model: groupBy === 'model' ? String(key) : null,
      ...summarizeUsage(partsByKey.get(key) ?? [], errorsByKey.get(key) ?? 0, ctx.prices),
    }));
    return groupBy === 'day'
      ? groups.sort((a, b) => a.day! - b.day!)
      : groups.sort((a, b) => b.costUsd - a.costUsd || byCodeUnit(a.model!, b.model!));
  },
});
