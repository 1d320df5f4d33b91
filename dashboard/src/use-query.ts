import { useEffect, useState } from 'preact/hooks';
import { ApiProblem } from './api/api-problem.js';
import { runQuery } from './api/graphql-client.js';
import type { Operation } from './api/operation.js';
import { apiKey } from './key-store.js';
import { useSignal } from './signal.js';

export type QueryState<T> =
  | { status: 'loading' }
  | { status: 'done'; data: T }
  | { status: 'problem'; problem: ApiProblem; retry: () => void };

/**
 * Runs a query whenever its variables change (compared as JSON), with the page's key. A 429 or 503 is retried by
 * itself once the gateway's Retry-After has passed; the problem is shown meanwhile.
 */
export function useQuery<TResult, TVariables>(operation: Operation<TResult, TVariables>, variables: TVariables): QueryState<TResult> {
  const key = useSignal(apiKey);
  const [state, setState] = useState<QueryState<TResult>>({ status: 'loading' });
  const [attempt, setAttempt] = useState(0);
  const identity = JSON.stringify(variables);
  useEffect(() => {
    if (key === null) return;
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const retry = () => setAttempt((n) => n + 1);
    setState((previous) => (previous.status === 'done' ? previous : { status: 'loading' }));
    runQuery(operation, variables, key, controller.signal).then(
      (data) => setState({ status: 'done', data }),
      (error: unknown) => {
        if (controller.signal.aborted) return;
        const problem = error instanceof ApiProblem ? error : new ApiProblem('network', String(error));
        setState({ status: 'problem', problem, retry });
        if ((problem.kind === 'rate-limited' || problem.kind === 'unavailable') && problem.retryAfterSeconds !== null) {
          timer = setTimeout(retry, problem.retryAfterSeconds * 1000);
        }
      },
    );
    return () => {
      controller.abort();
      clearTimeout(timer);
    };
    // `identity` stands for the variables' content.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [operation, identity, key, attempt]);
  return state;
}
