import { validationError, type FieldProblem } from '../errors/api-error.js';
import { DEFAULT_SESSION_ORDER, SESSION_ORDERS, type SessionOrder } from '../sessions/session-order.js';
import { selectSessionPage } from '../sessions/session-queries.js';
import { toSession, type Session } from '../sessions/session.js';
import { callerName, type ArgumentNames } from './argument-names.js';
import { defineUseCase } from './use-case.js';

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 200;

export interface ListSessionsArgs {
  limit?: number | null;
  offset?: number | null;
  startDate?: number | null;
  endDate?: number | null;
  /** By (started_at, id): `asc` (the default) or `desc`, its exact reverse. */
  order?: SessionOrder | null;
  /** Problems an adapter found while reading raw parameters (named as the caller sent them), reported with the use case's own. */
  syntaxProblems?: readonly FieldProblem[];
  /** The caller's spelling of these arguments, for the problems the use case reports. */
  names?: ArgumentNames;
}

export interface SessionPage {
  nodes: Session[];
  total: number;
  limit: number;
  offset: number;
}

export const listSessions = defineUseCase<ListSessionsArgs, SessionPage>({
  scope: 'read:analytics',
  async run(ctx, args) {
    const problems: FieldProblem[] = [...(args.syntaxProblems ?? [])];
    const reported = new Set(problems.map((p) => p.field));
    const name = (field: keyof ListSessionsArgs) => callerName(args.names, field);
    const requestedLimit = args.limit ?? DEFAULT_LIMIT;
    const offset = args.offset ?? 0;
    const startMs = args.startDate ?? null;
    const endMs = args.endDate ?? null;
    const order = args.order ?? DEFAULT_SESSION_ORDER;
    // Any integer above the maximum is applied as the maximum, however large.
    if (!reported.has(name('limit')) && (!(Number.isInteger(requestedLimit) || requestedLimit === Infinity) || requestedLimit < 1)) {
      problems.push({ field: name('limit'), message: 'must be an integer of at least 1' });
    }
    if (!reported.has(name('offset')) && (!Number.isSafeInteger(offset) || offset < 0)) {
      problems.push({ field: name('offset'), message: 'must be an integer from 0 to 9007199254740991' });
    }
    if (startMs !== null && endMs !== null && startMs > endMs) {
      problems.push({ field: name('startDate'), message: 'must not be later than the end date' });
    }
    if (!reported.has(name('order')) && !SESSION_ORDERS.includes(order)) {
      problems.push({ field: name('order'), message: `must be one of: ${SESSION_ORDERS.join(', ')}` });
    }
    if (problems.length > 0) throw validationError(problems);

    const limit = Math.min(requestedLimit, MAX_LIMIT);
    const { rows, total } = await selectSessionPage(ctx.db, ctx.principal.accountId, { startMs, endMs, limit, offset, order });
    const now = ctx.now();
    return { nodes: rows.map((r) => toSession(r, now)), total, limit, offset };
  },
});
