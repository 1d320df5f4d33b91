import type { FieldProblem } from '../errors/api-error.js';

/** Without `start_date`, analytics cover the 30 days before now. */
export const DEFAULT_RANGE_MS = 30 * 24 * 60 * 60 * 1000;

/** Sessions that started in [startMs, endMs], both inclusive (the filter of GET /api/v1/sessions). */
export interface AnalyticsRange {
  startMs: number;
  endMs: number;
}

export interface RangeArgs {
  startDate?: number | null;
  endDate?: number | null;
}

/**
 * The range an analytics request covers. Both bounds given with start > end is a problem
 * (as for sessions); one bound given on the far side of the other's default is an empty
 * range, answered with zeros and empty lists.
 */
export function resolveRange(args: RangeArgs, now: number, problems: FieldProblem[]): AnalyticsRange {
  const start = args.startDate ?? null;
  const end = args.endDate ?? null;
  if (start !== null && end !== null && start > end) {
    problems.push({ field: 'startDate', message: 'must not be later than the end date' });
  }
  return { startMs: start ?? now - DEFAULT_RANGE_MS, endMs: end ?? now };
}

export function isEmptyRange(range: AnalyticsRange): boolean {
  return range.startMs > range.endMs;
}
