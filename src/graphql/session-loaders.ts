import {
  selectSessionTools,
  selectTimelines,
  type SessionToolCount,
  type TimelineEvent,
} from '../sessions/session-detail-queries.js';
import type { AuthorizedContext } from '../use-cases/use-case.js';
import { BatchLoader } from './batch-loader.js';

/** Session ids per statement: well under SQLite's and PostgreSQL's bound-parameter limits. */
const CHUNK = 500;

export interface TimelineKey {
  sessionId: string;
  limit: number;
  offset: number;
}

export interface SessionLoaders {
  tools: BatchLoader<string, SessionToolCount[]>;
  timeline: BatchLoader<TimelineKey, TimelineEvent[]>;
}

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

function createLoaders(ctx: AuthorizedContext): SessionLoaders {
  const accountId = ctx.principal.accountId;
  return {
    tools: new BatchLoader(async (ids) => {
      const found = new Map<string, SessionToolCount[]>();
      for (const part of chunks([...new Set(ids)])) {
        for (const [id, tools] of await selectSessionTools(ctx.db, accountId, part)) found.set(id, tools);
      }
      return ids.map((id) => found.get(id) ?? []);
    }, (id) => id),
    timeline: new BatchLoader(async (keys) => {
      // One statement per distinct (limit, offset): a page of sessions usually shares one.
      const found = new Map<string, TimelineEvent[]>();
      const groups = new Map<string, { limit: number; offset: number; ids: Set<string> }>();
      for (const k of keys) {
        const g = `${k.limit}:${k.offset}`;
        if (!groups.has(g)) groups.set(g, { limit: k.limit, offset: k.offset, ids: new Set() });
        groups.get(g)!.ids.add(k.sessionId);
      }
      for (const [g, { limit, offset, ids }] of groups) {
        for (const part of chunks([...ids])) {
          for (const [id, events] of await selectTimelines(ctx.db, accountId, part, limit, offset)) {
            found.set(`${g}:${id}`, events);
          }
        }
      }
      return keys.map((k) => found.get(`${k.limit}:${k.offset}:${k.sessionId}`) ?? []);
    }, (k) => `${k.limit}:${k.offset}:${k.sessionId}`),
  };
}

const byScope = new WeakMap<object, SessionLoaders>();
const ownScopes = new WeakSet<object>();

/**
 * A copy of `value` that gets loaders of its own: a subscription's context lives as long as the
 * stream, so each message brings its own scope, or later messages would read cached children.
 */
export function withOwnLoaders<T extends object>(value: T): T {
  const copy = { ...value };
  ownScopes.add(copy);
  return copy;
}

/** The loaders of one request (its GraphQL context) or one subscription message, made on first use. */
export function sessionLoaders(ctx: AuthorizedContext, parent?: object): SessionLoaders {
  const scope = parent !== undefined && ownScopes.has(parent) ? parent : ctx;
  let loaders = byScope.get(scope);
  if (!loaders) {
    loaders = createLoaders(ctx);
    byScope.set(scope, loaders);
  }
  return loaders;
}
