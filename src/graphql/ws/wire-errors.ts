import type { ExecutionResult, FormattedExecutionResult, GraphQLError, GraphQLFormattedError } from 'graphql';

/** An error as the socket sends it: without `extensions.http` (the status HTTP would answer with), as Yoga drops it. */
export function wireError(error: GraphQLError): GraphQLFormattedError {
  const formatted = error.toJSON();
  if (!formatted.extensions || !('http' in formatted.extensions)) return formatted;
  const { http: _http, ...extensions } = formatted.extensions;
  return { ...formatted, extensions };
}

/** A result as the socket sends it (see {@link wireError}); undefined when it has no errors (graphql-ws formats it). */
export function wireResult(result: ExecutionResult): FormattedExecutionResult | undefined {
  if (!result.errors) return undefined;
  return { ...result, errors: result.errors.map(wireError) } as FormattedExecutionResult;
}
