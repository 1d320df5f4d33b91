import { ApiProblem, problemOf } from './api-problem.js';
import { GRAPHQL_PATH, keyHeaders, requestBody } from './graphql-client.js';
import type { Operation } from './operation.js';

export interface LiveHandlers<TResult> {
  /** The gateway accepted the subscription: updates flow from now on. */
  open?(): void;
  next(result: TResult): void;
  /** The stream stopped for a reason a new key (or waiting) must fix; it is not retried. */
  problem(problem: ApiProblem): void;
}

const RETRY_MS = [1_000, 2_000, 5_000, 10_000, 30_000];

/**
 * Follows a subscription over server-sent events (a POST, so the key travels in a header, never in a URL),
 * reconnecting after network failures. Returns its stop.
 */
export function follow<TResult, TVariables>(
  operation: Operation<TResult, TVariables>,
  variables: TVariables,
  key: string,
  handlers: LiveHandlers<TResult>,
): () => void {
  const controller = new AbortController();
  let attempt = 0;

  async function connect(): Promise<void> {
    const response = await fetch(GRAPHQL_PATH, {
      method: 'POST',
      headers: keyHeaders(key, 'text/event-stream'),
      body: requestBody(operation, variables),
      credentials: 'omit',
      signal: controller.signal,
    });
    if (!response.ok || !response.body) {
      let errors;
      try {
        errors = ((await response.json()) as { errors?: [] }).errors;
      } catch {
        // Explained by the status.
      }
      throw problemOf(response.status, response.headers, errors);
    }
    attempt = 0;
    handlers.open?.();
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffered = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffered += value.replace(/\r\n/g, '\n');
      let end: number;
      while ((end = buffered.indexOf('\n\n')) >= 0) {
        const message = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        const data = message.split('\n').filter((line) => line.startsWith('data:')).map((line) => line.slice(5).trimStart()).join('\n');
        if (!/^event: ?next$/m.test(message) || data === '') continue;
        const payload = JSON.parse(data) as { data?: TResult; errors?: { message?: string; extensions?: { code?: string } }[] };
        if (payload.errors?.length) throw problemOf(200, new Headers(), payload.errors);
        if (payload.data) handlers.next(payload.data);
      }
    }
  }

  void (async () => {
    while (!controller.signal.aborted) {
      try {
        await connect();
      } catch (error) {
        if (controller.signal.aborted) return;
        if (error instanceof ApiProblem && error.kind !== 'network' && error.kind !== 'unavailable' && error.kind !== 'rate-limited') {
          handlers.problem(error);
          return;
        }
        const wait = error instanceof ApiProblem && error.retryAfterSeconds !== null ? error.retryAfterSeconds * 1000 : RETRY_MS[Math.min(attempt, RETRY_MS.length - 1)]!;
        attempt++;
        await new Promise((resolve) => setTimeout(resolve, wait));
        continue;
      }
      // The server ended the stream (a restart, its lifetime): follow again after a short pause.
      await new Promise((resolve) => setTimeout(resolve, RETRY_MS[0]));
    }
  })();
  return () => controller.abort();
}
