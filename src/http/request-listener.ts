import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KeyStore } from '../auth/key-store.js';
import { isDatabaseUnavailable } from '../db/database-unavailable.js';
import type { Database } from '../db/open-database.js';
import { tryFastQuery } from '../graphql/fast-query.js';
import { graphqlJsonBody } from '../graphql/graphql-json-body.js';
import { yogaPostRequest, type GatewayYoga } from '../graphql/yoga.js';
import type { Principal } from '../auth/principal.js';
import type { Logger } from '../log/logger.js';
import type { GatewayMetrics } from '../metrics/gateway-metrics.js';
import { METRICS_PATH, serveMetrics } from '../metrics/metrics-endpoint.js';
import { MetricsToken } from '../metrics/metrics-token.js';
import { ApiError, apiError } from '../errors/api-error.js';
import type { Dashboard } from '../dashboard/dashboard-files.js';
import { dashboardRoutes } from '../dashboard/dashboard-routes.js';
import { internalError, restError, unavailableError, type RestError } from '../rest/error-envelope.js';
import type { RestRoute } from '../rest/route.js';
import { restRoutes } from '../rest/routes.js';
import { createUseCaseContext, type UseCaseServices } from '../use-cases/use-case-context.js';
import { createAdmission, type AdmissionRule, type ClientRequestLimiter, type ErrorShape, type RequestLimiter } from './admission.js';
import type { BodyBytesInFlight } from './body-bytes-in-flight.js';
import { assertJsonShape, type JsonShapeLimits } from './json-shape.js';
import { headerEntries } from './node-headers.js';
import { KEYED_ANSWER_CACHE_CONTROL } from './cache-control.js';
import { createCorsPolicy, type CorsOrigins } from './cors-policy.js';
import { readBody } from './read-body.js';
import { refusalFor } from './refusal-for.js';
import { handleOtlp, OTLP_MEDIA_TYPES, OTLP_PATHS, type OtlpDeps } from '../otlp/otlp-handler.js';
import { requireBodyType, type BodyTypeRule } from './require-body-type.js';
import { sendContent, sendFetchResponse, sendJson } from './send.js';
import type { StreamGuard } from './stream-guard.js';

export interface ListenerDeps {
  readonly database: Database;
  readonly keys: KeyStore;
  readonly yoga: GatewayYoga;
  readonly logger: Logger;
  readonly bodyLimitBytes: number;
  /** The nesting and values a JSON body with a valid key may have. */
  readonly json: JsonShapeLimits;
  /** The smaller body and JSON limits of requests without a valid key. */
  readonly anonymous: { readonly bodyLimitBytes: number; readonly json: JsonShapeLimits };
  /** Body bytes all requests in flight hold, under its ceiling. */
  readonly bodyBytesInFlight: BodyBytesInFlight;
  /** Counts requests without a valid key per client. */
  readonly clients: ClientRequestLimiter;
  /** Reverse proxies whose X-Forwarded-For entries name the client. */
  readonly trustedProxies: number;
  readonly hookPreviewChars: number;
  /** Largest OTLP export, as sent and once decompressed. */
  readonly otlpBodyLimitBytes: number;
  /** What every use case reaches, REST's and GraphQL's alike. */
  readonly services: UseCaseServices;
  /** Counts each admitted request with a key against its tier. */
  readonly limiter: RequestLimiter;
  /** With its scrape token, serves GET /metrics; absent, /metrics is an unknown path. */
  readonly metrics?: { readonly registry: GatewayMetrics; readonly token: string };
  /** What a live stream (SSE) is held to: its byte budget and write timeout. */
  readonly streams: StreamGuard;
  /** The origins whose pages may read answers (CORS), for every route. */
  readonly corsOrigins: CorsOrigins;
  /** The dashboard's build, or why there is none; absent when the dashboard is off (its paths are then unknown). */
  readonly dashboard?: Dashboard;
}

const SANE_REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

/** The client's X-Request-Id when it is sane, else a new one. */
function requestIdFor(header: string | string[] | undefined): string {
  return typeof header === 'string' && SANE_REQUEST_ID.test(header) ? header : randomUUID();
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

/** One row of the route table: the path, what admission asks of a request, the methods served, the handler. */
interface GatewayRoute extends AdmissionRule {
  readonly path: string;
  /** Methods served (GET serves HEAD too), else 405 before admission; null: any method, the handler decides. */
  readonly methods: readonly string[] | null;
  /** The methods that carry a body and the media types it may be declared as (else 415 before admission). */
  readonly accepts?: BodyTypeRule;
  handle(req: IncomingMessage, res: ServerResponse, url: URL, principal: Principal | null, requestId: string): Promise<void>;
}

/** What a preflight allows on a route that takes any method (its handler decides): what a page would send. */
const ANY_METHOD = ['GET', 'POST'];

function allowHeader(methods: readonly string[]): string {
  return methods.flatMap((m) => (m === 'GET' ? ['GET', 'HEAD'] : [m])).join(', ');
}

function sendError(res: ServerResponse, error: RestError, headers: Record<string, string> = {}): Promise<void> {
  return sendJson(res, error.status, error.body, { ...headers, ...error.headers });
}

/** The gateway's HTTP entry: request id, routing, body limit, and the REST error envelope. */
export function createRequestListener(deps: ListenerDeps) {
  const { logger } = deps;
  const admit = createAdmission({
    keys: deps.keys,
    limiter: deps.limiter,
    clients: deps.clients,
    trustedProxies: deps.trustedProxies,
    logger,
    metricsToken: deps.metrics ? new MetricsToken(deps.metrics.token) : undefined,
  });
  const cors = createCorsPolicy(deps.corsOrigins);

  function classify(error: unknown, requestId: string): RestError {
    if (isDatabaseUnavailable(error)) {
      logger.warn({ reqId: requestId, err: error }, 'database unavailable');
      return unavailableError();
    }
    logger.error({ reqId: requestId, err: error }, 'unexpected error');
    return internalError(requestId);
  }

  async function handleRest(req: IncomingMessage, res: ServerResponse, route: RestRoute, url: URL, principal: Principal | null) {
    const handler = route.methods[req.method === 'HEAD' ? 'GET' : (req.method ?? 'GET')]!;
    const body = route.needsBody ? await readBody(req, res, { bytes: deps.bodyLimitBytes, anonymous: false }, deps.bodyBytesInFlight) : null;
    // Every REST body is JSON read with a key (the routes that take one need it).
    if (body) assertJsonShape(body, deps.json);
    const ctx = createUseCaseContext(deps.services, principal);
    const result = await handler({ url, body, ctx, hookPreviewChars: deps.hookPreviewChars });
    if ('content' in result) await sendContent(res, result.status, result.contentType, result.content, result.headers);
    else await sendJson(res, result.status, result.body, result.headers);
  }

  async function handleGraphQL(req: IncomingMessage, res: ServerResponse, url: URL, principal: Principal | null, requestId: string) {
    const serverContext = { requestId, principal };
    if (req.method !== 'POST') {
      // Yoga's GET parser throws a bare SyntaxError (a 500) on `variables` or `extensions` that are not JSON.
      const malformed = malformedJsonParam(url.searchParams);
      if (malformed) {
        throw apiError('VALIDATION_ERROR', `The \`${malformed}\` query parameter must be a JSON object.`);
      }
      // A GET goes the way a POST's answer does: an EventSource-style stream held to the stream limits and ended
      // when its client leaves, a query's JSON with an ETag (a 304 when unchanged) and encoded as accepted.
      if (req.method === 'GET' || req.method === 'HEAD') {
        const request = new deps.yoga.fetchAPI.Request(url, { method: req.method, headers: headerEntries(req.headers) });
        await sendFetchResponse(res, await deps.yoga.fetch(request, serverContext), deps.streams);
        return;
      }
      await deps.yoga.handle(req, res, serverContext);
      return;
    }
    const anonymous = principal === null;
    const limit = anonymous ? { bytes: Math.min(deps.anonymous.bodyLimitBytes, deps.bodyLimitBytes), anonymous } : { bytes: deps.bodyLimitBytes, anonymous };
    const body = await readBody(req, res, limit, deps.bodyBytesInFlight);
    // requireBodyType let only JSON bodies through. Parsed here, once: the fast path and Yoga both take this parse.
    const jsonBody = graphqlJsonBody(body, anonymous ? deps.anonymous.json : deps.json);
    const parsedContext = { ...serverContext, jsonBody };
    const fast = await tryFastQuery(deps.yoga, req.headers, body, parsedContext);
    if (fast) {
      await sendContent(res, fast.status, fast.headers['content-type'] ?? 'application/json; charset=utf-8', fast.body, fast.headers);
      return;
    }
    await sendFetchResponse(res, await deps.yoga.fetch(yogaPostRequest(deps.yoga, url, req.headers, null), parsedContext), deps.streams);
  }

  async function handleHealth(res: ServerResponse, path: string) {
    if (path === '/healthz') return sendJson(res, 200, { status: 'ok' });
    try {
      await deps.database.ping();
    } catch {
      return sendJson(res, 503, { status: 'unavailable' });
    }
    return sendJson(res, 200, { status: 'ready' });
  }

  // Every route the gateway serves, in one table: a path not in it is 404 before anything is read.
  const routes = new Map<string, GatewayRoute>();
  for (const rest of restRoutes.values()) {
    routes.set(rest.path, {
      // A route that reads no key (the API description, its page) still counts its callers, per client.
      path: rest.path, needs: rest.needs === 'nothing' ? 'perClient' : rest.needs, shape: 'rest', methods: Object.keys(rest.methods),
      accepts: rest.needsBody ? { methods: Object.keys(rest.methods), mediaTypes: ['application/json'] } : undefined,
      handle: (req, res, url, principal) => handleRest(req, res, rest, url, principal),
    });
  }
  // GraphQL POST, GET, SSE and the GraphiQL page: Yoga answers each method; a key is optional.
  // Yoga reads application/graphql+json (an older draft's name) as JSON too; neither type can be sent cross-site
  // without a CORS preflight, unlike the forms, text/plain and GraphQL strings Yoga would also take.
  const graphqlBodies: BodyTypeRule = { methods: ['POST'], mediaTypes: ['application/json', 'application/graphql+json'], named: ['application/json'] };
  routes.set('/graphql', { path: '/graphql', needs: 'apiKeyOrAnonymous', shape: 'graphql', methods: null, accepts: graphqlBodies, handle: handleGraphQL });
  // Claude Code's own OpenTelemetry export (OTLP/HTTP), JSON or protobuf, refused in OTLP's own Status shape.
  const otlpDeps: OtlpDeps = {
    services: deps.services, bodyLimitBytes: deps.otlpBodyLimitBytes, bodyBytesInFlight: deps.bodyBytesInFlight, json: deps.json, previewChars: deps.hookPreviewChars,
  };
  for (const signal of ['logs', 'metrics'] as const) {
    const path = OTLP_PATHS[signal];
    routes.set(path, {
      path, needs: 'apiKey', shape: 'otlp', methods: ['POST'], accepts: { methods: ['POST'], mediaTypes: OTLP_MEDIA_TYPES },
      handle: (req, res, _url, principal) => handleOtlp(signal, req, res, principal, otlpDeps),
    });
  }
  for (const path of ['/healthz', '/readyz']) {
    routes.set(path, { path, needs: 'nothing', shape: 'rest', methods: null, handle: (_req, res) => handleHealth(res, path) });
  }
  if (deps.metrics) {
    const { registry } = deps.metrics;
    routes.set(METRICS_PATH, { path: METRICS_PATH, needs: 'metricsToken', shape: 'rest', methods: ['GET'], handle: (_req, res) => serveMetrics(registry, res) });
  }
  // Paths served under a prefix (the dashboard's pages and files), tried longest first when no exact path matches.
  const prefixed: { prefix: string; route: GatewayRoute }[] = [];
  // Like the API description's page: no key is read, and each client's requests count against its keyless budget.
  for (const page of deps.dashboard ? dashboardRoutes(deps.dashboard) : []) {
    const route: GatewayRoute = { path: page.path, needs: 'perClient', shape: 'rest', methods: ['GET'], handle: (req, res, url) => page.handle(req, res, url) };
    if (page.prefix === undefined) routes.set(page.path, route);
    else prefixed.push({ prefix: page.prefix, route });
  }
  prefixed.sort((a, b) => b.prefix.length - a.prefix.length);
  const routeFor = (path: string) => routes.get(path) ?? prefixed.find(({ prefix }) => path.startsWith(prefix))?.route;

  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = performance.now();
    const requestId = requestIdFor(req.headers['x-request-id']);
    res.setHeader('x-request-id', requestId);
    const corsAllowed = cors.decorate(req, res);
    let route = 'unknown';
    let shape: ErrorShape = 'rest';
    try {
      const url = parseTarget(req.url);
      if (!url) {
        await sendError(res, restError(400, 'VALIDATION_ERROR', 'The request target is not a valid URL path.'));
        return;
      }
      const path = url.pathname;
      const found = routeFor(path);
      if (!found) {
        await sendError(res, restError(404, 'NOT_FOUND', `No route for ${path}.`));
        return;
      }
      route = found.path;
      shape = found.shape;
      // Set before anything can answer, refusals included; an answer with a policy of its own replaces it.
      if (found.needs === 'apiKey' || found.needs === 'apiKeyOrAnonymous') res.setHeader('cache-control', KEYED_ANSWER_CACHE_CONTROL);
      // Before the method check and admission: a preflight carries no key and is never counted.
      if (cors.isPreflight(req)) {
        cors.answerPreflight(res, corsAllowed, allowHeader(found.methods ?? ANY_METHOD));
        return;
      }
      const method = req.method === 'HEAD' ? 'GET' : (req.method ?? 'GET');
      if (found.methods && !found.methods.includes(method)) {
        const allow = allowHeader(found.methods);
        await sendError(res, restError(405, 'METHOD_NOT_ALLOWED', `Method ${req.method} is not allowed on ${found.path}. Allowed: ${allow}.`), { allow });
        return;
      }
      requireBodyType(found.accepts, req);
      const admission = await admit(found, req, res, requestId);
      if (!admission.admitted) {
        const { refusal } = admission;
        await sendJson(res, refusal.status, refusal.body, refusal.headers);
        return;
      }
      await found.handle(req, res, url, admission.principal, requestId);
    } catch (error) {
      if (res.headersSent) {
        logger.error({ reqId: requestId, err: error }, 'error after the response started');
        res.destroy();
      } else if (error instanceof ApiError) {
        // The client's mistake or a refusal: in the route's own shape (GraphQL's errors list on /graphql).
        const refusal = refusalFor(error, shape);
        await sendJson(res, refusal.status, refusal.body, refusal.headers);
      } else {
        await sendError(res, classify(error, requestId));
      }
    } finally {
      const ms = performance.now() - started;
      logger.info({ reqId: requestId, method: req.method, route, status: res.statusCode, ms: Math.round(ms) }, 'request');
      deps.metrics?.registry.requestFinished(route, req.method, res.statusCode, ms / 1000);
    }
  };
}
