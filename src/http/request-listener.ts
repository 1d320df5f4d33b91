import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KeyStore } from '../auth/key-store.js';
import { readApiKey } from '../auth/read-api-key.js';
import { isDatabaseUnavailable } from '../db/database-unavailable.js';
import { ApiError, databaseUnavailable } from '../errors/api-error.js';
import type { Database } from '../db/open-database.js';
import { tryFastQuery } from '../graphql/fast-query.js';
import type { GatewayYoga } from '../graphql/yoga.js';
import type { Principal } from '../auth/principal.js';
import { rateLimited, rateLimitHeaders, type RateLimiter } from '../limits/rate-limiter.js';
import type { ChangeSink } from '../live/change-publisher.js';
import type { Logger } from '../log/logger.js';
import type { GatewayMetrics } from '../metrics/gateway-metrics.js';
import { METRICS_PATH, metricsEndpoint } from '../metrics/metrics-endpoint.js';
import { fromApiError, internalError, restError, unavailableError, type RestError } from '../rest/error-envelope.js';
import type { RestRoute } from '../rest/route.js';
import { restRoutes } from '../rest/routes.js';
import { headerEntries, headerGetter } from './node-headers.js';
import { BodyTooLargeError, readBody } from './read-body.js';
import { requestIdFor } from './request-id.js';
import { sendContent, sendFetchResponse, sendJson, sendRaw } from './send.js';

export interface ListenerDeps {
  readonly database: Database;
  readonly keys: KeyStore;
  readonly yoga: GatewayYoga;
  readonly logger: Logger;
  readonly bodyLimitBytes: number;
  readonly hookPreviewChars: number;
  readonly now: () => number;
  readonly changes?: ChangeSink;
  readonly limiter?: RateLimiter;
  /** With its scrape token, serves GET /metrics; absent, /metrics is an unknown path. */
  readonly metrics?: { readonly registry: GatewayMetrics; readonly token: string };
}

function parseTarget(target: string | undefined): URL | null {
  if (!target?.startsWith('/') || target.startsWith('//')) return null;
  try {
    // The base is a placeholder: only the path and query are read.
    return new URL(target, 'http://gateway.invalid');
  } catch {
    return null;
  }
}

function malformedJsonParam(params: URLSearchParams): string | null {
  for (const name of ['variables', 'extensions']) {
    const value = params.get(name);
    if (value === null || value === '') continue;
    try {
      const parsed: unknown = JSON.parse(value);
      if (parsed !== null && (typeof parsed !== 'object' || Array.isArray(parsed))) return name;
    } catch {
      return name;
    }
  }
  return null;
}

function sendError(res: ServerResponse, error: RestError, headers: Record<string, string> = {}): void {
  sendJson(res, error.status, error.body, { ...headers, ...error.headers });
}

/** The gateway's HTTP entry: request id, routing, body limit, and the REST error envelope. */
export function createRequestListener(deps: ListenerDeps) {
  const { logger } = deps;
  const serveMetrics = deps.metrics ? metricsEndpoint(deps.metrics.registry, deps.metrics.token) : null;

  function classify(error: unknown, requestId: string): RestError {
    if (error instanceof BodyTooLargeError) {
      return restError(413, 'PAYLOAD_TOO_LARGE', `Request body exceeds the limit of ${error.limitBytes} bytes.`);
    }
    const api = fromApiError(error);
    if (api) return api;
    if (isDatabaseUnavailable(error)) {
      logger.warn({ reqId: requestId, err: error }, 'database unavailable');
      return unavailableError();
    }
    logger.error({ reqId: requestId, err: error }, 'unexpected error');
    return internalError(requestId);
  }

  /** Counts the request against its key's tier; sets the RateLimit headers; throws RATE_LIMITED when over. */
  async function countRequest(res: ServerResponse, principal: Principal | null): Promise<void> {
    if (!principal || !deps.limiter) return;
    const verdict = await deps.limiter.request(principal);
    if (!verdict) return;
    for (const [name, value] of Object.entries(rateLimitHeaders(verdict))) res.setHeader(name, value);
    if (!verdict.allowed) throw rateLimited(verdict);
  }

  async function handleRest(req: IncomingMessage, res: ServerResponse, route: RestRoute, url: URL) {
    const method = req.method === 'HEAD' ? 'GET' : (req.method ?? 'GET');
    const handler = route.methods[method];
    if (!handler) {
      const allow = Object.keys(route.methods).flatMap((m) => (m === 'GET' ? ['GET', 'HEAD'] : [m])).join(', ');
      sendError(res, restError(405, 'METHOD_NOT_ALLOWED', `Method ${req.method} is not allowed on ${route.path}. Allowed: ${allow}.`), { allow });
      return;
    }
    const body = route.needsBody ? await readBody(req, deps.bodyLimitBytes) : null;
    const principal = route.keyless ? null : await deps.keys.authenticate(readApiKey(headerGetter(req.headers)));
    await countRequest(res, principal);
    const ctx = { principal, db: deps.database.db, now: deps.now, changes: deps.changes, limiter: deps.limiter, ingested: deps.metrics?.registry };
    const result = await handler({ url, body, ctx, hookPreviewChars: deps.hookPreviewChars });
    if ('content' in result) sendContent(res, result.status, result.contentType, result.content, result.headers);
    else sendJson(res, result.status, result.body, result.headers);
  }

  async function handleGraphQL(req: IncomingMessage, res: ServerResponse, url: URL, requestId: string) {
    // Authenticated here, once, so that every GraphQL request counts once, whichever path answers it.
    // Refusals here are answered in GraphQL's shape, as Yoga would answer them.
    const presented = readApiKey(headerGetter(req.headers));
    let principal: Principal | null;
    try {
      principal = presented === null ? null : await deps.keys.authenticate(presented);
      await countRequest(res, principal);
    } catch (error) {
      const refusal = error instanceof ApiError ? error : isDatabaseUnavailable(error) ? databaseUnavailable() : null;
      if (!refusal) throw error;
      sendJson(res, refusal.status, { errors: [{ message: refusal.message, extensions: { code: refusal.code } }] }, refusal.headers);
      return;
    }
    const serverContext = { requestId, principal, operationCounted: { counted: false } };
    if (req.method !== 'POST') {
      // Yoga's GET parser throws a bare SyntaxError (a 500) on `variables` or `extensions` that are not JSON.
      const malformed = malformedJsonParam(url.searchParams);
      if (malformed) {
        sendJson(res, 400, { errors: [{ message: `The \`${malformed}\` query parameter must be a JSON object.`, extensions: { code: 'VALIDATION_ERROR' } }] });
        return;
      }
      await deps.yoga.handle(req, res, serverContext);
      return;
    }
    const body = await readBody(req, deps.bodyLimitBytes);
    const fast = await tryFastQuery(deps.yoga, req.headers, body, serverContext);
    if (fast) {
      sendRaw(res, fast.status, fast.body);
      return;
    }
    const request = new deps.yoga.fetchAPI.Request(url, {
      method: 'POST',
      headers: headerEntries(req.headers),
      body: body.length > 0 ? new Uint8Array(body) : undefined,
    });
    await sendFetchResponse(res, await deps.yoga.fetch(request, serverContext));
  }

  async function handleHealth(res: ServerResponse, path: string) {
    if (path === '/healthz') return sendJson(res, 200, { status: 'ok' });
    try {
      await deps.database.ping();
      sendJson(res, 200, { status: 'ready' });
    } catch {
      sendJson(res, 503, { status: 'unavailable' });
    }
  }

  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = performance.now();
    const requestId = requestIdFor(req.headers['x-request-id']);
    res.setHeader('x-request-id', requestId);
    let route = 'unknown';
    try {
      const url = parseTarget(req.url);
      if (!url) {
        sendError(res, restError(400, 'VALIDATION_ERROR', 'The request target is not a valid URL path.'));
        return;
      }
      const path = url.pathname;
      const rest = restRoutes.get(path);
      if (rest) {
        route = rest.path;
        await handleRest(req, res, rest, url);
      } else if (path === '/graphql') {
        route = path;
        await handleGraphQL(req, res, url, requestId);
      } else if (path === '/healthz' || path === '/readyz') {
        route = path;
        await handleHealth(res, path);
      } else if (path === METRICS_PATH && serveMetrics) {
        route = path;
        await serveMetrics(req, res);
      } else {
        sendError(res, restError(404, 'NOT_FOUND', `No route for ${path}.`));
      }
    } catch (error) {
      if (res.headersSent) {
        logger.error({ reqId: requestId, err: error }, 'error after the response started');
        res.destroy();
      } else {
        sendError(res, classify(error, requestId));
      }
    } finally {
      const ms = performance.now() - started;
      logger.info({ reqId: requestId, method: req.method, route, status: res.statusCode, ms: Math.round(ms) }, 'request');
      deps.metrics?.registry.requestFinished(route, req.method, res.statusCode, ms / 1000);
    }
  };
}
