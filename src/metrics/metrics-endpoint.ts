import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendContent, sendJson } from '../http/send.js';
import { restError } from '../rest/error-envelope.js';
import type { GatewayMetrics } from './gateway-metrics.js';
import { MetricsToken } from './metrics-token.js';

export const METRICS_PATH = '/metrics';

/**
 * `GET /metrics` for Prometheus, behind the scrape token (`Authorization: Bearer …`). The token is
 * not an API key: X-API-Key is not read here, and keys are not accepted in its place.
 */
export function metricsEndpoint(metrics: GatewayMetrics, token: string) {
  const expected = new MetricsToken(token);
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      const error = restError(405, 'METHOD_NOT_ALLOWED', `Method ${req.method} is not allowed on ${METRICS_PATH}. Allowed: GET, HEAD.`);
      sendJson(res, error.status, error.body, { allow: 'GET, HEAD' });
      return;
    }
    if (!expected.matches(req.headers.authorization)) {
      const error = restError(401, 'UNAUTHORIZED', 'Missing or invalid metrics token.');
      sendJson(res, error.status, error.body, { 'www-authenticate': 'Bearer realm="metrics"' });
      return;
    }
    sendContent(res, 200, metrics.contentType, await metrics.exposition(), { 'cache-control': 'no-store' });
  };
}
