import type { ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/** What the fast path got when it executed a query: the result, or the error execution threw. */
export type Executed = { readonly result: ExecutionResult | AsyncIterable<ExecutionResult> } | { readonly error: unknown };

/**
 * The fast path (fast-query.ts) answers a plain success itself; any other outcome of its
 * execution it gives to Yoga in the server context (`executed`). Yoga then answers the request
 * as if it had executed it (every request-phase hook, result processing, masking, status, CORS)
 * without executing it again: resolvers, SQL and metrics run once.
 */
export function useExecutedResult(): Plugin {
  return {
    onParams({ context, setResult, setParamsHandler }) {
      const executed = (context as { executed?: Executed } | null)?.executed;
      if (!executed) return;
      if ('result' in executed) {
        setResult(executed.result);
      } else {
        // Thrown outside the handler's own catch, it meets the same error handling (Yoga's top-level catch).
        setParamsHandler(() => {
          throw executed.error;
        });
      }
    },
  };
}
