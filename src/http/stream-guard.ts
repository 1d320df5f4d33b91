import type { ServerResponse } from 'node:http';
import type { Logger } from '../log/logger.js';
import type { GatewayMetrics } from '../metrics/gateway-metrics.js';

/** `buffer`: more unsent bytes than allowed; `timeout`: unsent bytes and none taken for the write timeout. */
export type StreamCutReason = 'buffer' | 'timeout';

/** What a long-lived response stream (SSE, multipart subscription) is held to, and who hears when one is cut. */
export interface StreamGuard {
  /** Bytes written to the response and not yet taken by the kernel, past which the stream is cut. */
  readonly bufferBytes: number;
  /** How long unsent bytes may wait with no write taken by the kernel before the stream is cut. */
  readonly writeTimeoutMs: number;
  /** Called once, after the stream's connection was destroyed; `res` names the request (its X-Request-Id). */
  cut(res: Pick<ServerResponse, 'getHeader'>, reason: StreamCutReason, bufferedBytes: number): void;
}

export interface StreamGuardOptions {
  readonly bufferBytes: number;
  readonly writeTimeoutMs: number;
  readonly logger: Logger;
  /** Counts cuts; absent when metrics are off. */
  readonly metrics: GatewayMetrics | undefined;
}

/** The gateway's guard: a cut is logged (under the request's id) and counted. */
export function createStreamGuard({ bufferBytes, writeTimeoutMs, logger, metrics }: StreamGuardOptions): StreamGuard {
  return {
    bufferBytes,
    writeTimeoutMs,
    cut(res, reason, bufferedBytes) {
      const limit = reason === 'buffer' ? { bufferLimitBytes: bufferBytes } : { writeTimeoutMs };
      logger.warn({ reqId: res.getHeader('x-request-id'), reason, bufferedBytes, ...limit }, 'stream cut: the client does not take what is sent');
      metrics?.streamCut(reason);
    },
  };
}
