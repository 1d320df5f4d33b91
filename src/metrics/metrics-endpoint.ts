import type { ServerResponse } from 'node:http';
import { sendContent } from '../http/send.js';
import type { GatewayMetrics } from './gateway-metrics.js';

export const METRICS_PATH = '/metrics';

/**
 * `GET /metrics` for Prometheus. The HTTP admission has already checked the scrape token
 * (`Authorization: Bearer …`); it is not an API key, and keys are not accepted in its place.
 */
export async function serveMetrics(metrics: GatewayMetrics, res: ServerResponse): Promise<void> {
  sendContent(res, 200, metrics.contentType, await metrics.exposition(), { 'cache-control': 'no-store' });
}
