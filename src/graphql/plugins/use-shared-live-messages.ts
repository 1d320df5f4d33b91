import { createSourceEventStream, execute, type DocumentNode, type ExecutionArgs, type ExecutionResult } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import { holdCorkedWrites } from '../../http/cork-until-turn-ends.js';
import { LiveSubscriber, StreamEnd } from '../../live/live-subscriber.js';
import type { Session } from '../../sessions/session.js';
import type { GraphQLContext } from '../context.js';
import { outletSlotOf, type LiveOutletSlot } from '../live-outlet.js';
import { mapEvents } from '../map-events.js';
import { refused } from './use-response-budget.js';

/** A number per parsed document (Yoga's parser cache hands every request of one text the same document). */
const documentIds = new WeakMap<DocumentNode, number>();
let nextDocumentId = 0;

/** A subscriber whose message waits for its share key's answer, to be written to its outlet. */
interface Waiter {
  readonly subscriber: LiveSubscriber;
  readonly slot: LiveOutletSlot;
  readonly session: Session;
  readonly finish: (handBack: Session | null) => void;
}

/** One share key's answer to one change: null once it carried errors (each subscriber then runs its own). */
interface SharedAnswer {
  readonly pending: Promise<ExecutionResult | null>;
  /** The answer once known, so that later subscribers take it without waiting a turn. */
  result?: ExecutionResult | null;
  /** Subscribers to write it to once known. */
  waiters?: Waiter[];
}

/** Per change the feed hands out (one object for every subscriber of its account): the answer per share key. */
const answers = new WeakMap<object, Map<string, SharedAnswer>>();

/**
 * Which subscribers get the same answer to the same change: one document, operation and variables, one
 * account and the same scopes. Nothing else in the context changes what a live message reads.
 */
function shareKey(args: ExecutionArgs): string | null {
  const principal = (args.contextValue as Partial<GraphQLContext> | null)?.principal;
  if (!principal) return null;
  let id = documentIds.get(args.document);
  if (id === undefined) documentIds.set(args.document, (id = nextDocumentId++));
  const scopes = [...principal.scopes].sort().join(' ');
  return JSON.stringify([id, args.operationName ?? null, args.variableValues ?? null, principal.accountId, scopes]);
}

function ownAnswer(args: ExecutionArgs, event: unknown): Promise<ExecutionResult> {
  const budgets = (args.contextValue as Partial<GraphQLContext> | null)?.budgets;
  return Promise.resolve(execute({ ...args, rootValue: event })).then((result) => {
    // The message's budget is settled here, so that an answer over a limit is never shared (it has errors).
    const refusal = budgets?.settle();
    return refusal ? refused(refusal) : result;
  });
}

function answersTo(event: object): Map<string, SharedAnswer> {
  let byKey = answers.get(event);
  if (!byKey) answers.set(event, (byKey = new Map()));
  return byKey;
}

/** Makes one subscriber's own answer, still running, the answer of its share key to this change. */
function shareAnswer(byKey: Map<string, SharedAnswer>, key: string, own: Promise<ExecutionResult>): SharedAnswer {
  // The messages already written this turn wait for this answer's, to leave with them.
  const release = holdCorkedWrites();
  const entry: SharedAnswer = {
    pending: own.then(
      (result) => settleShared(entry, result.errors ? null : result),
      () => settleShared(entry, null),
    ).finally(release),
  };
  byKey.set(key, entry);
  return entry;
}

function settleShared(entry: SharedAnswer, result: ExecutionResult | null): ExecutionResult | null {
  entry.result = result;
  const waiters = entry.waiters;
  entry.waiters = undefined;
  if (waiters) for (const waiter of waiters) deliver(waiter, result);
  return result;
}

/** A waiting subscriber's message: written when the answer is shared and its client keeps up, else handed to its pipeline. */
function deliver({ subscriber, slot, session, finish }: Waiter, result: ExecutionResult | null): void {
  const outlet = slot.outlet;
  if (result && outlet?.ready && !subscriber.ended) {
    outlet.write(result);
    finish(null);
  } else {
    finish(session);
  }
}

function answer(args: ExecutionArgs, key: string, event: unknown): ExecutionResult | Promise<ExecutionResult> {
  if (event instanceof StreamEnd || typeof event !== 'object' || event === null) return ownAnswer(args, event);
  const byKey = answersTo(event);
  const shared = byKey.get(key);
  if (shared) {
    if (shared.result !== undefined) return shared.result ?? ownAnswer(args, event);
    return shared.pending.then((result) => result ?? ownAnswer(args, event));
  }
  const own = ownAnswer(args, event);
  shareAnswer(byKey, key, own);
  return own;
}

/**
 * The stream's bypass (src/live/live-subscriber.ts): while its pipeline waits idle and its outlet keeps up, a
 * change's shared answer is written to the outlet directly, once known. The subscriber that starts the answer
 * runs it as its own: should it carry errors, the pipeline sends it from `handedBack`, masked as any error is.
 */
function bypassFor(args: ExecutionArgs, key: string, subscriber: LiveSubscriber, slot: LiveOutletSlot, handedBack: WeakMap<object, Promise<ExecutionResult>>) {
  return (session: Session, finish: (handBack: Session | null) => void): boolean => {
    const outlet = slot.outlet;
    if (!outlet?.ready) return false;
    const byKey = answersTo(session);
    let entry = byKey.get(key);
    if (!entry) {
      const own = ownAnswer(args, session);
      handedBack.set(session, own);
      entry = shareAnswer(byKey, key, own);
    }
    if (entry.result === null) return false;
    const waiter: Waiter = { subscriber, slot, session, finish };
    if (entry.result === undefined) (entry.waiters ??= []).push(waiter);
    else deliver(waiter, entry.result);
    return true;
  };
}

/**
 * Live messages computed once per change and shared: the feed hands every subscriber of an account the same
 * change, and a thousand dashboards subscribed with one document would otherwise each execute it. Only
 * error-free answers are shared (an error names its request); a stream that cannot start is left to the
 * normal path, so its errors are the same as without this plugin.
 */
export function useSharedLiveMessages(): Plugin {
  return {
    onSubscribe({ subscribeFn, setSubscribeFn }) {
      setSubscribeFn(async (envelopArgs) => {
        const args = envelopArgs as ExecutionArgs;
        const key = shareKey(args);
        if (key === null) return subscribeFn(envelopArgs);
        const stream = await createSourceEventStream(args);
        if (!isAsyncIterable(stream)) return subscribeFn(envelopArgs);
        // Answers this stream started around its pipeline, for the pipeline to send should they carry errors.
        const handedBack = new WeakMap<object, Promise<ExecutionResult>>();
        const slot = outletSlotOf(args.contextValue as object);
        if (slot && stream instanceof LiveSubscriber) stream.bypass = bypassFor(args, key, stream, slot, handedBack);
        return mapEvents(stream[Symbol.asyncIterator](), (event) => {
          const own = typeof event === 'object' && event !== null ? handedBack.get(event) : undefined;
          return own ?? answer(args, key, event);
        });
      });
    },
  };
}
