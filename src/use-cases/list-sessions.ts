import { validationError, type FieldProblem } from '../errors/api-error.js';
import { selectSessionPage } from '../sessions/session-queries.js';
import { toSession, type Session } from '../sessions/session.js';
import { defineOperation } from './operation.js';

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 200;

/** Argument names are GraphQL's; REST renames them in its error details. */
export interface ListSessionsArgs {
  limit?: number | null;
  offset?: number | null;
  startDate?: number | null;
  endDate?: number | null;
  /** Problems an adapter found while reading raw parameters, reported with the operation's own. */
  syntaxProblems?: readonly FieldProblem[];
}

export interface SessionPage {
  nodes: Session[];
  total: number;
  limit: number;
  offset: number;
}

export const listSessions = defineOperation<ListSessionsArgs, SessionPage>({
  scope: 'read:analytics',
  async run(ctx, args) {
    const problems: FieldProblem[] = [...(args.syntaxProblems ?? [])];
    const reported = new Set(problems.map((p) => p.field));
    const requestedLimit = args.limit ?? DEFAULT_LIMIT;
    const offset = args.offset ?? 0;
    const startMs = args.startDate ?? null;
    const endMs = args.endDate ?? null;
    // Any integer above the maximum is applied as the maximum, however large.
    if (!reported.has('limit') && (!(Number.isInteger(requestedLimit) || requestedLimit === Infinity) || requestedLimit < 1)) {
      problems.push({ field: 'limit', message: 'must be an integer of at least 1' });
    }
    if (!reported.has('offset') && (!Number.isSafeInteger(offset) || offset < 0)) {
      problems.push({ field: 'offset', message: 'must be an integer from 0 to 9007199254740991' });
    }
    if (startMs !== null && endMs !== null && startMs > endMs) {
      problems.push({ field: 'startDate', message: 'must not be later than the end date' });
    }
    if (problems.length > 0) throw validationError(problems);

    const limit = Math.min(requestedLimit, MAX_LIMIT);
    const { rows, total } = await selectSessionPage(ctx.db, ctx.principal.accountId, { startMs, endMs, limit, offset });
    const now = ctx.now();
    return { nodes: rows.map((r) => toSession(r, now)), total, limit, offset };
  },
});
