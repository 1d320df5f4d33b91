import type { IncomingHttpHeaders } from 'node:http';
import { getOperationAST, getVariableValues, type DocumentNode } from 'graphql';
import { isAsyncIterable } from 'graphql-yoga';
import { memoizeHeader } from '../http/header-memo.js';
import { headerGetter } from '../http/node-headers.js';
import { graphqlJsonBody, type GraphQLJsonBody } from './graphql-json-body.js';
import type { Executed } from './plugins/use-executed-result.js';
import { yogaPostRequest, type GatewayYoga, type ServerContext } from './yoga.js';

export interface FastResponse {
  status: number;
  /** Lower-case names; the listener adds the request id, the rate limit and the CORS headers, as for Yoga. */
  headers: Record<string, string>;
  body: string;
}

interface Params {
  query: string;
  variables?: Record<string, unknown> | null;
  operationName?: string | null;
}

/** The params of a body that is JSON and has exactly the shape of a plain query's; else null. */
function paramsOf(body: GraphQLJsonBody): Params | null {
  if (!('value' in body)) return null;
  const parsed = body.value;
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return null;
  const { query, variables, operationName, extensions, ...rest } = parsed as Record<string, unknown>;
  if (typeof query !== 'string' || Object.keys(rest).length > 0 || extensions !== undefined) return null;
  if (variables !== undefined && variables !== null && (typeof variables !== 'object' || Array.isArray(variables))) return null;
  if (operationName !== undefined && operationName !== null && typeof operationName !== 'string') return null;
  return { query, variables: variables as Params['variables'], operationName: operationName as Params['operationName'] };
}

type JsonMediaType = 'application/json' | 'application/graphql-response+json';

/**
 * The media type Yoga's result processors pick for a query's result under this Accept, when it is
 * one of the two JSON types (else null: SSE, multipart, or nothing acceptable). Entries with a
 * charset other than utf-8 do not count; the first entry a JSON type matches wins, and
 * application/json wins when both match (a wildcard).
 */
function jsonMediaType(accept: string | null): JsonMediaType | null {
  return mediaTypeOf(accept || '*/*');
}

const mediaTypeOf = memoizeHeader((accept: string): JsonMediaType | null => {
  const entries = accept.replace(/\s/g, '').toLowerCase().split(',');
  for (const entry of entries) {
    const [type = '', ...params] = entry.split(';');
    const charset = params.find((param) => param.includes('charset=')) ?? 'charset=utf-8';
    if (charset !== 'charset=utf-8') continue;
    const [group, subtype] = type.split('/');
    const matches = (ours: JsonMediaType) => {
      const [oursGroup, oursSubtype] = ours.split('/');
      return (group === '*' || group === oursGroup) && (subtype === '*' || subtype === oursSubtype);
    };
    if (matches('application/json')) return 'application/json';
    if (matches('application/graphql-response+json')) return 'application/graphql-response+json';
  }
  return null;
});

/**
 * Documents each Yoga found valid: Yoga's parser cache hands the same document to every request that sends the
 * same query, and validation gives the same answer each time (every onValidate hook in plugins/ adds a fixed rule
 * or rewrites errors, none reads the request, as Yoga's own validation cache also assumes). Only valid ones are
 * kept, so a refused document is validated, and refused, again.
 */
const validDocuments = new WeakMap<GatewayYoga, WeakSet<DocumentNode>>();

function isValid(yoga: GatewayYoga, enveloped: ReturnType<GatewayYoga['getEnveloped']>, document: DocumentNode): boolean {
  let valid = validDocuments.get(yoga);
  if (!valid) validDocuments.set(yoga, (valid = new WeakSet()));
  if (valid.has(document)) return true;
  if (enveloped.validate(enveloped.schema, document).length > 0) return false;
  valid.add(document);
  return true;
}

/** Yoga answers the request with what the fast path executed, without executing it again (nor parsing its body). */
async function answeredByYoga(yoga: GatewayYoga, headers: IncomingHttpHeaders, serverContext: ServerContext & { jsonBody: GraphQLJsonBody }, executed: Executed): Promise<FastResponse> {
  const request = yogaPostRequest(yoga, 'http://gateway.invalid/graphql', headers, null);
  const response = await yoga.fetch(request, { ...serverContext, executed });
  const answer: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    // Yoga's Headers may keep the case a name was set with.
    answer[name.toLowerCase()] = value;
  });
  return { status: response.status, headers: answer, body: await response.text() };
}

/**
 * A JSON POST of a query, without the fetch Request/Response objects of Yoga's HTTP layer (they cost
 * more than the query itself). Everything that decides whether it takes this path is settled before
 * anything executes: the body's shape, the media types, that the document parses and validates
 * (limits included), that it is a query, that its variables coerce. null means declined, and
 * nothing has run: Yoga takes the request whole.
 *
 * Once it executes, it answers. A plain success (data, no errors, no extensions) it answers itself,
 * byte for byte as Yoga would: the media type Yoga's result processors pick (CORS is the listener's,
 * for both). Every other outcome goes to Yoga with the result attached (use-executed-result.ts),
 * and Yoga's answer is returned: masking, request id, status, extensions.http headers.
 * The one exception is an execution the limits stop before any resolver runs (the cost, which
 * depends on the variables): nothing ran, so it is declined and Yoga refuses it.
 *
 * A plain success skips Yoga's request-phase hooks (onRequest, onRequestParse, onParams,
 * onResultProcess, onResponse); the gateway's own act only on errors, batches or GraphiQL's page.
 *
 * The body is the listener's parse of it (`serverContext.jsonBody`), which Yoga reuses too; a caller that has
 * not parsed it (a spec calling this directly) gets it parsed here, once.
 */
export async function tryFastQuery(
  yoga: GatewayYoga,
  headers: IncomingHttpHeaders,
  body: Buffer,
  serverContext: ServerContext,
): Promise<FastResponse | null> {
  if (!/^application\/json\b/i.test(headers['content-type'] ?? '')) return null;
  const header = headerGetter(headers);
  const mediaType = jsonMediaType(header.get('accept'));
  if (!mediaType) return null;
  const context = { ...serverContext, jsonBody: serverContext.jsonBody ?? graphqlJsonBody(body, { maxDepth: Number.MAX_SAFE_INTEGER, maxValues: Number.MAX_SAFE_INTEGER }) };
  const params = paramsOf(context.jsonBody);
  if (!params) return null;
  const request = { method: 'POST', headers: header };
  const enveloped = yoga.getEnveloped({ ...context, request, params } as never);
  let document: DocumentNode;
  try {
    document = enveloped.parse(params.query);
  } catch {
    return null;
  }
  const operation = getOperationAST(document, params.operationName);
  if (operation?.operation !== 'query') return null;
  if (!isValid(yoga, enveloped, document)) return null;
  if (getVariableValues(enveloped.schema, operation.variableDefinitions ?? [], params.variables ?? {}).errors) return null;

  let executed: Executed;
  try {
    const contextValue = await enveloped.contextFactory();
    const result = await enveloped.execute({
      schema: enveloped.schema,
      document,
      contextValue,
      variableValues: params.variables,
      operationName: params.operationName,
    });
    if (!isAsyncIterable(result)) {
      if (!('data' in result)) return null; // stopped before any resolver ran
      if (result.errors === undefined && result.extensions === undefined) {
        const stringify = (result as { stringify?: (r: unknown) => string }).stringify ?? JSON.stringify;
        return { status: 200, headers: { 'content-type': `${mediaType}; charset=utf-8` }, body: stringify(result) };
      }
    }
    executed = { result };
  } catch (error) {
    executed = { error };
  }
  return answeredByYoga(yoga, headers, context, executed);
}
