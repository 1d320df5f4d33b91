import type { IncomingHttpHeaders } from 'node:http';
import { getOperationAST, type DocumentNode, type ExecutionResult } from 'graphql';
import { isAsyncIterable } from 'graphql-yoga';
import { headerGetter } from '../http/node-headers.js';
import type { GatewayYoga, ServerContext } from './yoga.js';

export interface FastResponse {
  status: 200;
  body: string;
}

interface Params {
  query: string;
  variables?: Record<string, unknown> | null;
  operationName?: string | null;
}

function paramsOf(body: Buffer): Params | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return null;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return null;
  const { query, variables, operationName, extensions, ...rest } = parsed as Record<string, unknown>;
  if (typeof query !== 'string' || Object.keys(rest).length > 0 || extensions !== undefined) return null;
  if (variables !== undefined && variables !== null && (typeof variables !== 'object' || Array.isArray(variables))) return null;
  if (operationName !== undefined && operationName !== null && typeof operationName !== 'string') return null;
  return { query, variables: variables as Params['variables'], operationName: operationName as Params['operationName'] };
}

/** Yoga answers these with its plain JSON processor; anything else (SSE, multipart, CORS) stays with Yoga. */
function plainJsonRequest(headers: IncomingHttpHeaders): boolean {
  if (headers.origin !== undefined) return false;
  if (!/^application\/json\b/i.test(headers['content-type'] ?? '')) return false;
  const accept = headers.accept;
  return accept === undefined || accept === '*/*' || /^application\/json\b/i.test(accept);
}

/**
 * The common case of a dashboard's GraphQL request without Yoga's HTTP layer: a JSON POST of a
 * query that parses, validates and executes without errors. It runs through the same envelop
 * pipeline Yoga uses (same schema, parse/validation cache, context, plugins, graphql-jit), and only
 * skips building fetch Request/Response objects, which cost more than the query itself. Anything
 * else (mutations, subscriptions, errors of any kind, CORS, other media types) returns null, and
 * the request goes to Yoga whole, so every answer but the plain success is Yoga's own.
 */
export async function tryFastQuery(
  yoga: GatewayYoga,
  headers: IncomingHttpHeaders,
  body: Buffer,
  serverContext: ServerContext,
): Promise<FastResponse | null> {
  if (!plainJsonRequest(headers)) return null;
  const params = paramsOf(body);
  if (!params) return null;
  const request = { method: 'POST', headers: headerGetter(headers) };
  const enveloped = yoga.getEnveloped({ ...serverContext, request, params } as never);
  let document: DocumentNode;
  try {
    document = enveloped.parse(params.query);
  } catch {
    return null;
  }
  if (getOperationAST(document, params.operationName)?.operation !== 'query') return null;
  if (enveloped.validate(enveloped.schema, document).length > 0) return null;
  let result: ExecutionResult & { stringify?: (r: unknown) => string };
  try {
    const contextValue = await enveloped.contextFactory();
    result = (await enveloped.execute({
      schema: enveloped.schema,
      document,
      contextValue,
      variableValues: params.variables,
      operationName: params.operationName,
    })) as typeof result;
  } catch {
    return null; // Yoga reports it, masked
  }
  if (isAsyncIterable(result) || (result.errors?.length ?? 0) > 0 || result.extensions !== undefined) return null;
  return { status: 200, body: (result.stringify ?? JSON.stringify)(result) };
}
