import { statementChunks } from '../db/statement-chunks.js';
import {
  selectSessionTools,
  selectTimelines,
  selectTimelineSizes,
  type SessionToolRow,
  type TimelineRow,
} from '../sessions/session-detail-queries.js';
import type { InFlightCeiling } from '../limits/bytes-in-flight.js';
import { takeTurn } from '../limits/take-turn.js';
import { authorized } from './authorized.js';
import { BatchLoader } from './batch-loader.js';
import type { GraphQLContext } from './context.js';
import { isMessageScope, messageScope } from './message-scope.js';
import type { ResponseBudget } from './response-budget.js';
import { ScopeMemo } from './scope-memo.js';

/**
 * Text at least this large is read in a turn of the event loop of its own: reading it, parsing it and
 * writing the answer block the loop (about 150 ms for 8 MiB), and answers read at once would add up.
 */
const LARGE_READ_BYTES = 1024 * 1024;

export interface TimelineKey {
  sessionId: string;
  limit: number;
  offset: number;
  /** Whether `data` is selected: without it, no text is read. */
  withData: boolean;
}

/**
 * What a batch read for one key. `unread` is set when its text was left unread because the text read
 * together with it (`bytes`) had no room: in what the answer may still take (`answer`), or in the key's
 * or the process's bytes in flight. `size` is known either way.
 */
export interface Loaded<T> {
  rows: T[];
  size: { rows: number; bytes: number };
  unread: { bytes: number; bound: 'answer' | InFlightCeiling } | null;
}

export interface SessionLoaders {
  tools: BatchLoader<string, Loaded<SessionToolRow>>;
  timeline: BatchLoader<TimelineKey, Loaded<TimelineRow>>;
}

const groupOf = (k: TimelineKey) => `${k.limit}:${k.offset}:${k.withData ? 'data' : '-'}`;
const timelineKey = (k: TimelineKey) => `${groupOf(k)}:${k.sessionId}`;
const EMPTY = { rows: [], size: { rows: 0, bytes: 0 }, unread: null };

/**
 * Loaders whose reads `budget` bounds: a batch for a refused budget reads nothing, and text is read only
 * once its size has room in the answer and in the bytes in flight (taken for the fields that will charge it).
 */
function createLoaders(ctx: GraphQLContext, budget: ResponseBudget): SessionLoaders {
  const { db, principal } = authorized(ctx);
  const accountId = principal.accountId;
  return {
    tools: new BatchLoader(async (ids) => {
      budget.check();
      const found = new Map<string, Loaded<SessionToolRow>>();
      for (const part of statementChunks([...new Set(ids)])) {
        // Names are short (200 code points), so one statement reads them when they fit the answer's room.
        const read = await selectSessionTools(db, accountId, part, budget.roomBytes);
        const bytes = [...read.values()].flat().reduce((sum, r) => sum + r.nameBytes, 0);
        const unread = [...read.values()].some((tools) => tools.some((r) => r.name === null)) ? { bytes, bound: 'answer' as const } : null;
        for (const [id, tools] of read) {
          found.set(id, { rows: tools, size: { rows: tools.length, bytes: tools.reduce((sum, r) => sum + r.nameBytes, 0) }, unread });
        }
      }
      return ids.map((id) => found.get(id) ?? EMPTY);
    }, (id) => id),
    timeline: new BatchLoader(async (keys) => {
      budget.check();
      // One statement per distinct (limit, offset, data or not), and one more for the sizes when data is asked for.
      const found = new Map<string, Loaded<TimelineRow>>();
      const groups = new Map<string, { limit: number; offset: number; withData: boolean; ids: Set<string> }>();
      for (const k of keys) {
        if (!groups.has(groupOf(k))) groups.set(groupOf(k), { limit: k.limit, offset: k.offset, withData: k.withData, ids: new Set() });
        groups.get(groupOf(k))!.ids.add(k.sessionId);
      }
      for (const [g, { limit, offset, withData, ids }] of groups) {
        for (const part of statementChunks([...ids])) {
          if (!withData) {
            for (const [id, events] of await selectTimelines(db, accountId, part, limit, offset, false)) {
              found.set(`${g}:${id}`, { rows: events, size: { rows: events.length, bytes: 0 }, unread: null });
            }
            continue;
          }
          const sizes = await selectTimelineSizes(db, accountId, part, limit, offset);
          const bytes = [...sizes.values()].reduce((sum, size) => sum + size.dataBytes, 0);
          const bound = bytes > budget.roomBytes ? 'answer' : budget.reserve(bytes);
          if (bound) {
            for (const [id, size] of sizes) found.set(`${g}:${id}`, { rows: [], size: { rows: size.rows, bytes: size.dataBytes }, unread: { bytes, bound } });
            continue;
          }
          if (bytes >= LARGE_READ_BYTES) await takeTurn();
          for (const [id, events] of await selectTimelines(db, accountId, part, limit, offset, true)) {
            found.set(`${g}:${id}`, { rows: events, size: { rows: events.length, bytes: events.reduce((sum, e) => sum + e.dataBytes, 0) }, unread: null });
          }
        }
      }
      return keys.map((k) => found.get(timelineKey(k)) ?? EMPTY);
    }, timelineKey),
  };
}

const byScope = new ScopeMemo<SessionLoaders>('session loaders');

/** A live message's value, with loaders (and a response budget) of its own. */
export function withOwnLoaders<T extends object>(value: T): T {
  return messageScope(value);
}

/** The loaders of one request (its GraphQL context) or one live message, made on first use. */
export function sessionLoaders(ctx: GraphQLContext, parent?: object): SessionLoaders {
  const scope = isMessageScope(parent) ? parent : ctx.budgets;
  return byScope.get(scope, () => createLoaders(ctx, ctx.budgets.of(parent)));
}
