import { ApiProblem, problemOf } from './api-problem.js';
import type { Operation } from './operation.js';

/** The gateway's GraphQL endpoint, on the page's own origin: the dashboard talks to nothing else. */
export const GRAPHQL_PATH = '/graphql';

export function requestBody<TVariables>(operation: Operation<unknown, TVariables>, variables: TVariables): string {
  return JSON.stringify({ documentId: operation.id, variables });
}

export function keyHeaders(key: string, accept: string): Record<string, string> {
  return { 'content-type': 'application/json', accept, 'x-api-key': key };
}

interface WireAnswer<T> {
  data?: T | null;
  errors?: { message?: string; extensions?: { code?: string } }[];
}

/** Runs one query by its trusted-document id; anything but data is thrown as an ApiProblem. */
export async function runQuery<TResult, TVariables>(
  operation: Operation<TResult, TVariables>,
  variables: TVariables,
  key: string,
  signal?: AbortSignal,
): Promise<TResult> {
  let response: Response;
  try {
    response = await fetch(GRAPHQL_PATH, {
      method: 'POST',
      headers: keyHeaders(key, 'application/graphql-response+json, application/json'),
      body: requestBody(operation, variables),
      credentials: 'omit',
      signal,
    });
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new ApiProblem('network', 'The gateway could not be reached.');
  }
  let answer: WireAnswer<TResult> = {};
  try {
    answer = (await response.json()) as WireAnswer<TResult>;
  } catch {
    // An answer that is not JSON (a proxy's error page) is explained by its status alone.
  }
  if (!response.ok || answer.errors?.length || answer.data == null) throw problemOf(response.status, response.headers, answer.errors);
  return answer.data;
}
