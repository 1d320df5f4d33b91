import { validationError, type FieldProblem } from '../errors/api-error.js';
import { DEFAULT_SESSION_ORDER, SESSION_ORDERS, type SessionOrder } from '../sessions/session-order.js';
import { cursorOwner, decodeSessionCursor, type SessionKey } from '../sessions/session-cursor.js';
import { selectSessionPage } from '../sessions/session-queries.js';
import { selectCursorPage } from '../sessions/cursor-page.js';
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
  /** Cursor paging (GraphQL): at most this many sessions from the start of the window… */
  first?: number | null;
  /** …or from its end. */
  last?: number | null;
  /** The window: sessions after this cursor in the order… */
  after?: string | null;
  /** …and before this one. */
  before?: string | null;
  /** Problems an adapter found while reading raw parameters (named as the caller sent them), reported with the use case's own. */
  syntaxProblems?: readonly FieldProblem[];
  /** The caller's spelling of these arguments, for the problems the use case reports. */
  names?: ArgumentNames;
}

export interface SessionPage {
  nodes: Session[];
  total: number;
  limit: number;
  /** Offset paging: the offset applied. Cursor paging: 0; see `position`. */
  offset: number;
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  /** Cursor paging only: how many sessions matching the filters come before the page (counted when asked). */
  position?: () => Promise<number>;
  /** The caller's account as its cursors name it (see cursorOwner). */
  cursorOwner: string;
}

const CURSOR_ARGS = ['first', 'last', 'after', 'before'] as const;

const CURSOR_PROBLEMS = {
  malformed: 'is not a cursor this API handed out',
  foreign: 'is a cursor of another kind or version, not one of sessions',
  otherAccount: "was handed out to another account's key",
} as const;

interface CursorPaging {
  first: number | null;
  last: number | null;
  after: SessionKey | null;
  before: SessionKey | null;
}

/**
 * The cursor arguments, when any is given (else null), with their problems pushed onto `problems`:
 * first/last as `limit` (≥ 1), not both; no offset; no `limit` of its own beside first or last.
 */
function readCursorPaging(args: ListSessionsArgs, owner: string, problems: FieldProblem[], name: (field: keyof ListSessionsArgs) => string): CursorPaging | null {
  if (!CURSOR_ARGS.some((arg) => args[arg] !== undefined && args[arg] !== null)) return null;
  const named = (field: keyof ListSessionsArgs) => problems.some((p) => p.field === name(field));
  const size = (field: 'first' | 'last') => {
    const value = args[field] ?? null;
    if (value !== null && (!(Number.isInteger(value) || value === Infinity) || value < 1)) {
      problems.push({ field: name(field), message: 'must be an integer of at least 1' });
    }
    return value;
  };
  const cursor = (field: 'after' | 'before') => {
    const given = args[field];
    if (given === undefined || given === null) return null;
    const key = decodeSessionCursor(given, owner);
    if (typeof key === 'object') return key;
    problems.push({ field: name(field), message: CURSOR_PROBLEMS[key] });
    return null;
  };
  const first = size('first');
  const last = size('last');
  if (first !== null && last !== null) problems.push({ field: name('last'), message: 'cannot be combined with first' });
  if ((args.offset ?? 0) !== 0 && !named('offset')) {
    problems.push({ field: name('offset'), message: 'cannot be combined with first, last, after or before' });
  }
  if ((first !== null || last !== null) && (args.limit ?? DEFAULT_LIMIT) !== DEFAULT_LIMIT && !named('limit')) {
    problems.push({ field: name('limit'), message: 'cannot be combined with first or last' });
  }
  return { first, last, after: cursor('after'), before: cursor('before') };
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
    const cursorsOwner = cursorOwner(ctx.principal.accountId);
    const cursors = readCursorPaging(args, cursorsOwner, problems, name);
    if (problems.length > 0) throw validationError(problems);

    if (cursors) {
      const { first, last, after, before } = cursors;
      // Without first or last the page is `limit` sessions: after `before` alone, the ones just before it.
      const backward = last !== null || (first === null && before !== null && after === null);
      const size = Math.min(first ?? last ?? requestedLimit, MAX_LIMIT);
      const page = await selectCursorPage(ctx.db, ctx.principal.accountId, { startMs, endMs, order, backward, size, after, before });
      const now = ctx.now();
      return {
        nodes: page.rows.map((r) => toSession(r, now)), total: page.total, limit: size, offset: 0, cursorOwner: cursorsOwner,
        hasNextPage: page.hasNextPage, hasPreviousPage: page.hasPreviousPage, position: page.position,
      };
    }

    const limit = Math.min(requestedLimit, MAX_LIMIT);
    const { rows, total } = await selectSessionPage(ctx.db, ctx.principal.accountId, { startMs, endMs, limit, offset, order });
    const now = ctx.now();
    return {
      nodes: rows.map((r) => toSession(r, now)), total, limit, offset, cursorOwner: cursorsOwner,
      hasNextPage: offset + rows.length < total,
      hasPreviousPage: offset > 0,
    };
  },
});
