import type { IncomingMessage, ServerResponse } from 'node:http';

/** Which pages may call the gateway: any (`*`), or exactly these origins (`scheme://host[:port]`, as browsers send them). */
export type CorsOrigins = '*' | readonly string[];

/** The headers a page may read from an answer besides the CORS-safelisted ones. */
const EXPOSED = 'X-Request-Id, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, RateLimit-Policy, Retry-After';
/** The request headers a page may send; Accept and Content-Type are listed for values outside the safelist. */
const ALLOWED_HEADERS = 'Content-Type, X-API-Key, Authorization, X-Request-Id, Accept';
const PREFLIGHT_MAX_AGE_SECONDS = '600';

export interface CorsPolicy {
  /**
   * Sets the CORS headers every answer to this request carries, on `res` before anything can answer
   * (errors and refusals included). True when the request's origin may read the answer.
   */
  decorate(req: IncomingMessage, res: ServerResponse): boolean;
  /** Whether a page of `origin` may call at all (no Origin: not a browser page, nothing to refuse); a WebSocket handshake is refused otherwise. */
  allows(origin: string | undefined): boolean;
  /** An OPTIONS request asking whether a page may send a request (a preflight). */
  isPreflight(req: IncomingMessage): boolean;
  /** Answers a preflight 204: the permissions when the origin is allowed, none otherwise (the browser then refuses). */
  answerPreflight(res: ServerResponse, allowed: boolean, methods: string): void;
}

/**
 * One CORS policy for every route and every answer. Never Access-Control-Allow-Credentials: keys travel in
 * headers, never cookies, so no answer needs the browser's credentials, and `*` stays safe to send.
 */
export function createCorsPolicy(origins: CorsOrigins): CorsPolicy {
  const listed = origins === '*' ? null : new Set(origins);
  return {
    decorate(req, res) {
      // With a list, the answer depends on the Origin: a cache must not hand one origin's answer to another.
      if (listed) res.setHeader('vary', 'Origin');
      const origin = req.headers.origin;
      if (origin === undefined) return false;
      if (listed && !listed.has(origin)) return false;
      res.setHeader('access-control-allow-origin', listed ? origin : '*');
      res.setHeader('access-control-expose-headers', EXPOSED);
      return true;
    },
    allows(origin) {
      return origin === undefined || listed === null || listed.has(origin);
    },
    isPreflight(req) {
      return req.method === 'OPTIONS' && req.headers.origin !== undefined && req.headers['access-control-request-method'] !== undefined;
    },
    answerPreflight(res, allowed, methods) {
      const headers: Record<string, string> = allowed
        ? { 'access-control-allow-methods': methods, 'access-control-allow-headers': ALLOWED_HEADERS, 'access-control-max-age': PREFLIGHT_MAX_AGE_SECONDS }
        : {};
      res.writeHead(204, headers);
      res.end();
    },
  };
}
