import type { ExecutionResult, FormattedExecutionResult, GraphQLError, GraphQLFormattedError } from 'graphql';

/** Extensions that steer the server (the HTTP status an error would answer with, Yoga's `unexpected` mark): never sent. */
function withoutServerExtensions(extensions: Record<string, unknown>): Record<string, unknown> | undefined {
  if (!('http' in extensions) && !('unexpected' in extensions)) return extensions;
  const { http: _http, unexpected: _unexpected, ...rest } = extensions;
  return Object.keys(rest).length > 0 ? rest : undefined;
}

/** An error as a stream (WebSocket or SSE) sends it, as Yoga's HTTP answers do. */
export function wireError(error: GraphQLError): GraphQLFormattedError {
  const formatted = error.toJSON();
  if (!formatted.extensions) return formatted;
  const extensions = withoutServerExtensions(formatted.extensions);
  if (extensions === formatted.extensions) return formatted;
  const { extensions: _all, ...rest } = formatted;
  return extensions ? { ...rest, extensions } : rest;
}

/** A result as a stream sends it (see {@link wireError}); undefined when it has nothing to leave out. */
export function wireResult(result: ExecutionResult): FormattedExecutionResult | undefined {
  if (!result.errors && !result.extensions?.['http']) return undefined;
  const wire: Record<string, unknown> = { ...result };
  if (result.errors) wire['errors'] = result.errors.map(wireError);
  if (result.extensions) wire['extensions'] = withoutServerExtensions(result.extensions);
  return wire as FormattedExecutionResult;
}

/** A result's JSON as a stream sends it. */
export function stringifyWireResult(result: object): string {
  return JSON.stringify(wireResult(result as ExecutionResult) ?? result);
}
