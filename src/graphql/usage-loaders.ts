import { statementChunks } from '../db/statement-chunks.js';
import { toSessionActivity, type SessionActivity } from '../usage/session-activity.js';
import { selectErrorCounts, selectMetricSums, selectUsageParts, type MetricSum, type UsagePart } from '../usage/usage-queries.js';
import { summarizeUsage, type UsageSummary } from '../usage/usage-summary.js';
import { authorized } from './authorized.js';
import { BatchLoader } from './batch-loader.js';
import type { GraphQLContext } from './context.js';
import { isMessageScope, messageOrigin } from './message-scope.js';
import type { ResponseBudget } from './response-budget.js';
import { ScopeMemo } from './scope-memo.js';


/** What a batch read for one session, and how many stored rows that took (charged by the field). */
export interface LoadedUsage {
  usage: UsageSummary | null;
  rows: number;
}

export interface LoadedActivity {
  activity: SessionActivity | null;
  rows: number;
}

export interface UsageLoaders {
  usage: BatchLoader<string, LoadedUsage>;
  activity: BatchLoader<string, LoadedActivity>;
}

function grouped<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const held = out.get(key(item));
    if (held) held.push(item);
    else out.set(key(item), [item]);
  }
  return out;
}

/** Loaders for a page of sessions: their usage in two statements (requests, errors), their activity in one. */
function createLoaders(ctx: GraphQLContext, budget: Pick<ResponseBudget, 'check'>): UsageLoaders {
  const { db, principal } = authorized(ctx);
  const accountId = principal.accountId;
  return {
    usage: new BatchLoader(async (ids) => {
      budget.check();
      const parts = new Map<string, UsagePart[]>();
      const errors = new Map<string, number>();
      for (const part of statementChunks([...new Set(ids)])) {
        const scope = { sessionIds: part };
        const [read, failed] = await Promise.all([
          selectUsageParts(db, accountId, scope, 'session'),
          selectErrorCounts(db, accountId, scope, 'session'),
        ]);
        for (const [id, held] of grouped(read, (p) => String(p.key))) parts.set(id, held);
        for (const e of failed) errors.set(String(e.key), e.errors);
      }
      return ids.map((id) => {
        const held = parts.get(id) ?? [];
        const apiErrors = errors.get(id) ?? 0;
        const requests = held.reduce((sum, p) => sum + p.requests, 0);
        // A session none of whose requests is known, nor any failure: no usage to show.
        if (requests === 0 && apiErrors === 0) return { usage: null, rows: 0 };
        return { usage: summarizeUsage(held, apiErrors, ctx.prices), rows: requests + apiErrors };
      });
    }, (id) => id),
    activity: new BatchLoader(async (ids) => {
      budget.check();
      const sums = new Map<string, MetricSum[]>();
      for (const part of statementChunks([...new Set(ids)])) {
        for (const [id, held] of grouped(await selectMetricSums(db, accountId, part), (s) => s.sessionId)) sums.set(id, held);
      }
      return ids.map((id) => {
        const held = sums.get(id) ?? [];
        return { activity: toSessionActivity(held), rows: held.reduce((sum, s) => sum + s.points, 0) };
      });
    }, (id) => id),
  };
}

const byScope = new ScopeMemo<UsageLoaders>('usage loaders');

/** Shared by the messages of one change: no one subscriber's refusal may stop the others' read (each charges its own). */
const SHARED: Pick<ResponseBudget, 'check'> = { check: () => {} };

/**
 * The usage loaders of one request (its GraphQL context), or of one change delivered live: every subscriber of the
 * account gets the change, so a thousand subscribers asking for its usage read it once. Each still charges its own
 * message's budget for the rows (the field does).
 */
export function usageLoaders(ctx: GraphQLContext, parent?: object): UsageLoaders {
  const live = isMessageScope(parent);
  const scope = live ? messageOrigin(parent) : ctx.budgets;
  return byScope.get(scope, () => createLoaders(ctx, live ? SHARED : ctx.budgets.of(parent)));
}
