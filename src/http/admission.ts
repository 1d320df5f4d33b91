import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { KeyStore } from '../auth/key-store.js';
import type { Principal } from '../auth/principal.js';
import { isDatabaseUnavailable } from '../db/database-unavailable.js';
import { ApiError, databaseUnavailable, unauthenticated, validationError } from '../errors/api-error.js';
import { rateLimited, rateLimitHeaders, type RateVerdict } from '../limits/rate-limiter.js';
import type { Logger } from '../log/logger.js';
import type { MetricsToken } from '../metrics/metrics-token.js';
import { restError } from '../rest/error-envelope.js';
import { clientAddress } from './client-address.js';
import { refusalFor } from './refusal-for.js';

/**
 * What a route asks of a request before anything else is read:
 * - `nothing`: no key is read and nothing is counted (health: load balancers poll it);
 * - `perClient`: no key is read; counted against the client's limit for callers without a key (the API
 *   description and its page);
 * - `apiKey`: a valid key, else 401 (REST);
 * - `apiKeyOrAnonymous`: a key is read and counted when present; without one the request goes on as
 *   anonymous and each field refuses what it must (GraphQL);
 * - `metricsToken`: the scrape token (`Authorization: Bearer …`), never an API key.
 * A request without a valid key (absent, unknown, revoked) counts against its client's limit, 401s included.
 */
export type RouteNeeds = 'nothing' | 'perClient' | 'apiKey' | 'apiKeyOrAnonymous' | 'metricsToken';

/** REST answers refusals in its error envelope; GraphQL in its `errors` list, as Yoga would. */
/** How a refusal is written: the REST envelope, GraphQL's `errors` list, or OTLP's google.rpc.Status. */
export type ErrorShape = 'rest' | 'graphql' | 'otlp';

export interface AdmissionRule {
  readonly needs: RouteNeeds;
  readonly shape: ErrorShape;
}

export interface Refusal {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Record<string, string>;
}

export type Admission = { readonly admitted: true; readonly principal: Principal | null } | { readonly admitted: false; readonly refusal: Refusal };

/** What admission reads of a request: its headers and its connection's peer (an HTTP request, or a WebSocket's handshake). */
export type AdmittedRequest = Pick<IncomingMessage, 'headers' | 'socket'>;
/** Where admission puts the RateLimit headers. */
export interface AdmissionHeaders {
  setHeader(name: string, value: string): unknown;
}

/** Counts one request against its key's tier; null when the tier has no request limit. */
export interface RequestLimiter {
  request(principal: Principal): Promise<RateVerdict | null>;
}

/** Counts one request of a client without a valid key (src/limits/client-limiter.ts). */
export interface ClientRequestLimiter {
  request(client: string): Promise<RateVerdict>;
}

export interface AdmissionDeps {
  readonly keys: KeyStore;
  readonly limiter: RequestLimiter;
  readonly clients: ClientRequestLimiter;
  /** Reverse proxies in front whose X-Forwarded-For entries name the client (0: the socket's peer is the client). */
  readonly trustedProxies: number;
  readonly logger: Logger;
  /** Absent when metrics are off (then no route needs it). */
  readonly metricsToken?: MetricsToken;
}

/** A header's one value; a repeated header is a list whose items are never a key, so it reads as its joined text. */
function single(value: string | string[] | undefined): string | null {
  if (value === undefined) return null;
  return Array.isArray(value) ? value.join(', ') : value;
}

/**
 * The key a request presents: `X-API-Key`, else `Authorization: Bearer`; never the URL. Both present with different
 * keys is a 400: using either one silently would let a proxy's key and the client's disagree unnoticed.
 */
export function presentedKey(headers: IncomingHttpHeaders): string | null {
  const direct = single(headers['x-api-key'])?.trim() ?? null;
  const authorization = single(headers.authorization);
  const bearer = authorization ? (/^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1] ?? null) : null;
  if (direct !== null && bearer !== null && direct !== bearer) {
    throw validationError(
      [{ field: 'Authorization', message: 'carries a different key than X-API-Key; send one key, in one header' }],
      'X-API-Key and Authorization: Bearer carry different keys.',
    );
  }
  return direct ?? bearer;
}

function refuse(error: ApiError, shape: ErrorShape): Admission {
  return { admitted: false, refusal: refusalFor(error, shape) };
}

/**
 * The one place a request is authenticated and counted: from its headers alone, before any body is
 * read. The RateLimit headers go on `res` whether the request is admitted or not.
 */
export function createAdmission(deps: AdmissionDeps) {
  const { keys, limiter, logger } = deps;

  /**
   * Counts a request without a valid key against its client's limit; RATE_LIMITED over it. A counter store that
   * fails lets the request through: what it guards (small bodies, no data) is not worth refusing everyone for.
   */
  async function countClient(req: AdmittedRequest, requestId: string): Promise<void> {
    let verdict: RateVerdict;
    try {
      verdict = await deps.clients.request(clientAddress(req, deps.trustedProxies));
    } catch (error) {
      logger.warn({ reqId: requestId, err: error }, 'counting a request without a key failed; let through');
      return;
    }
    // Only a refusal carries the RateLimit headers: an admitted request without a key has no quota of its own to show.
    if (!verdict.allowed) throw rateLimited(verdict);
  }

  async function authenticateAndCount(rule: AdmissionRule, req: AdmittedRequest, res: AdmissionHeaders, requestId: string): Promise<Principal | null> {
    const principal = await keys.authenticate(presentedKey(req.headers));
    if (!principal) {
      await countClient(req, requestId);
      if (rule.needs === 'apiKey') throw unauthenticated();
      return null;
    }
    const verdict = await limiter.request(principal);
    if (verdict) {
      for (const [name, value] of Object.entries(rateLimitHeaders(verdict))) res.setHeader(name, value);
      if (!verdict.allowed) throw rateLimited(verdict);
    }
    return principal;
  }

  return async function admit(rule: AdmissionRule, req: AdmittedRequest, res: AdmissionHeaders, requestId: string): Promise<Admission> {
    switch (rule.needs) {
      case 'nothing':
        return { admitted: true, principal: null };
      case 'perClient':
        try {
          await countClient(req, requestId);
          return { admitted: true, principal: null };
        } catch (error) {
          if (error instanceof ApiError) return refuse(error, rule.shape);
          throw error;
        }
      case 'metricsToken': {
        if (deps.metricsToken?.matches(req.headers.authorization)) return { admitted: true, principal: null };
        const envelope = restError(401, 'UNAUTHORIZED', 'Missing or invalid metrics token.');
        return { admitted: false, refusal: { ...envelope, headers: { 'www-authenticate': 'Bearer realm="metrics"' } } };
      }
      default:
        try {
          return { admitted: true, principal: await authenticateAndCount(rule, req, res, requestId) };
        } catch (error) {
          if (error instanceof ApiError) return refuse(error, rule.shape);
          if (!isDatabaseUnavailable(error)) throw error;
          logger.warn({ reqId: requestId, err: error }, 'database unavailable');
          return refuse(databaseUnavailable(), rule.shape);
        }
    }
  };
}

export type Admit = ReturnType<typeof createAdmission>;
