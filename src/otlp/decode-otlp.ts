import { InexactNumberError } from './exact-number.js';
import { OtlpDecodeError } from './otlp-decode-error.js';
import type { OtlpEncoding } from './otlp-encoding.js';
import { parseOtlpJson } from './otlp-json.js';
import { logsFromRequest } from './otlp-logs.js';
import { metricsFromRequest } from './otlp-metrics.js';
import { decodeOtlpProtobuf } from './otlp-protobuf.js';
import type { OtlpLogs, OtlpMetrics } from './otlp-records.js';
import { readLogsProtobuf } from './read-logs-protobuf.js';
import { otlpTypes } from './otlp-schema.js';

/**
 * A JSON body read by `read`. Parsed the fast way first; only a body with an integer beyond 2^53 sent as a JSON
 * number (which JSON.parse would round) is parsed again keeping the numbers' source text.
 */
function fromJson<T>(body: Uint8Array, read: (request: unknown) => T): T {
  try {
    return read(parseOtlpJson(body, false));
  } catch (error) {
    if (!(error instanceof InexactNumberError)) throw error;
  }
  try {
    return read(parseOtlpJson(body, true));
  } catch (error) {
    if (error instanceof InexactNumberError) throw new OtlpDecodeError(`${error.message}: an integer JSON.parse cannot hold exactly`);
    throw error;
  }
}

/** An OTLP/HTTP logs export (ExportLogsServiceRequest). Throws OtlpDecodeError, and nothing else, on any bad body. */
export function decodeLogs(body: Uint8Array, encoding: OtlpEncoding): OtlpLogs {
  if (encoding === 'json') return fromJson(body, logsFromRequest);
  // The plain encoding every exporter writes is read directly; anything else, and every error, the general way.
  return readLogsProtobuf(body) ?? logsFromRequest(decodeOtlpProtobuf(body, otlpTypes.exportLogsRequest));
}

/** An OTLP/HTTP metrics export (ExportMetricsServiceRequest). Throws OtlpDecodeError, and nothing else, on any bad body. */
export function decodeMetrics(body: Uint8Array, encoding: OtlpEncoding): OtlpMetrics {
  if (encoding === 'json') return fromJson(body, metricsFromRequest);
  return metricsFromRequest(decodeOtlpProtobuf(body, otlpTypes.exportMetricsRequest));
}
