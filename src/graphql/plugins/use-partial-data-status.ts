import { GraphQLError, type ExecutionResult } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import { rebuiltError } from '../rebuilt-error.js';

/** Some root field produced a value: the errors beside it are field errors of a partial answer. */
function hasPartialData(result: ExecutionResult): boolean {
  const { data } = result;
  return data !== null && typeof data === 'object' && Object.values(data).some((value) => value !== null && value !== undefined);
}

/** The error without the HTTP status it asked for; the headers it asked for (Retry-After) stay. */
function withoutStatus(error: GraphQLError): GraphQLError {
  const http = error.extensions?.['http'] as { status?: number; headers?: Record<string, string> } | undefined;
  if (http?.status === undefined) return error;
  const { http: _http, ...extensions } = error.extensions;
  return rebuiltError(error, { extensions: { ...extensions, ...(http.headers ? { http: { headers: http.headers } } : {}) } });
}

/**
 * A partial answer (data from some field, errors from others) is HTTP 200, under application/json and
 * application/graphql-response+json alike, as the GraphQL-over-HTTP spec requires of a non-null `data`:
 * a field's error (400, 401, 403…) must not fail the fields that succeeded. An answer in which
 * no field produced a value is decided by its errors, as before (401 without a key, 403 without the
 * scope, 400 for a bad argument): that is our rule, for clients and proxies that read the status.
 */
export function usePartialDataStatus(): Plugin {
  return {
    onResultProcess({ result, setResult }) {
      if (isAsyncIterable(result) || Array.isArray(result) || !result.errors?.length || !hasPartialData(result)) return;
      setResult({ ...result, errors: result.errors.map((error) => (error instanceof GraphQLError ? withoutStatus(error) : error)) });
    },
  };
}
