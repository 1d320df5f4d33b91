import { createSourceEventStream, execute, type DocumentNode, type ExecutionArgs, type ExecutionResult } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import { StreamEnd } from '../../live/live-subscriber.js';
import type { GraphQLContext } from '../context.js';
import { mapEvents } from '../map-events.js';
import { refused } from './use-response-budget.js';

/** A number per parsed document (Yoga's parser cache hands every request of one text the same document). */
const documentIds = new WeakMap<DocumentNode, number>();
let nextDocumentId = 0;

/** One share key's answer to one change: null once it carried errors (each subscriber then runs its own). */
interface SharedAnswer {
  readonly pending: Promise<ExecutionResult | null>;
  /** The answer once known, so that later subscribers take it without waiting a turn. */
  result?: ExecutionResult | null;
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

function answer(args: ExecutionArgs, key: string, event: unknown): ExecutionResult | Promise<ExecutionResult> {
  if (event instanceof StreamEnd || typeof event !== 'object' || event === null) return ownAnswer(args, event);
  let byKey = answers.get(event);
  if (!byKey) answers.set(event, (byKey = new Map()));
  const shared = byKey.get(key);
  if (shared) {
    if (shared.result !== undefined) return shared.result ?? ownAnswer(args, event);
    return shared.pending.then((result) => result ?? ownAnswer(args, event));
  }
  const own = ownAnswer(args, event);
  const entry: SharedAnswer = {
    pending: own.then(
      (result) => (entry.result = result.errors ? null : result),
      () => (entry.result = null),
    ),
  };
  byKey.set(key, entry);
  return own;
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
        return mapEvents(stream[Symbol.asyncIterator](), (event) => answer(args, key, event));
      });
    },
  };
}
