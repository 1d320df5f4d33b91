import { isEmptyRange, resolveRange, type RangeArgs } from '../analytics/analytics-range.js';
import { selectSessionsByDay } from '../analytics/sessions-by-day.js';
import { validationError, type FieldProblem } from '../errors/api-error.js';
import { dayStart } from '../time/utc-days.js';
import { defineUseCase } from './use-case.js';


/** The sessions that started on one UTC day (`day`: its first instant), with all their events. */
export interface AnalyticsDay {
  day: number;
  sessions: number;
  events: number;
  toolInvocations: number;
}

/**
 * The overview's sessions (docs/api.md#analytics) split by the UTC day each started on: one item per day with
 * at least one, ascending. Its sums are the overview's totals, and its length the overview's active days.
 */
export const analyticsDays = defineUseCase<RangeArgs, AnalyticsDay[]>({
  scope: 'read:analytics',
  async run(ctx, args) {
    const problems: FieldProblem[] = [];
    const range = resolveRange(args, ctx.now(), problems);
    if (problems.length > 0) throw validationError(problems);
    if (isEmptyRange(range)) return [];

    const days = await selectSessionsByDay(ctx.readsOffLoop, ctx.principal.accountId, range);
    return days.map((d) => ({ day: dayStart(d.day), sessions: d.sessions, events: d.events, toolInvocations: d.toolInvocations }));
  },
});
