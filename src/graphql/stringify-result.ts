import { GraphQLError, type ExecutionResult } from 'graphql';

/** Extensions that steer the server (an error's HTTP status, Yoga's `unexpected` mark) and never reach a client. */
function clientErrorJson(error: unknown): unknown {
  if (!(error instanceof GraphQLError)) return error;
  const json: Record<string, unknown> = { ...error.toJSON() };
  const { http: _http, unexpected: _unexpected, ...extensions } = (json['extensions'] ?? {}) as Record<string, unknown>;
  if (Object.keys(extensions).length > 0) json['extensions'] = extensions;
  else delete json['extensions'];
  return json;
}

/** An execution result as its client reads it (what Yoga's result processors send). */
export function stringifyResult(result: object): string {
  const { errors, extensions } = result as ExecutionResult;
  if (!errors?.length && !extensions?.['http']) return JSON.stringify(result);
  const out: Record<string, unknown> = { ...result };
  if (errors) out['errors'] = errors.map(clientErrorJson);
  if (extensions) {
    const { http: _http, ...rest } = extensions;
    out['extensions'] = Object.keys(rest).length > 0 ? rest : undefined;
  }
  return JSON.stringify(out);
}
