import type { OtlpEncoding } from './otlp-encoding.js';
import { otlpTypes } from './otlp-schema.js';
import { rpcCode } from './rpc-status.js';

export type { OtlpEncoding } from './otlp-encoding.js';

const REJECTED_FIELD = { logs: 'rejectedLogRecords', metrics: 'rejectedDataPoints' } as const;

function protobufBytes(type: typeof otlpTypes.rpcStatus, object: Record<string, unknown>): Buffer {
  const bytes = type.encode(type.fromObject(object)).finish();
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * The body of a 200 answer to an export, in the request's encoding: an empty Export*ServiceResponse when all was
 * taken (`{}` in JSON, no bytes in protobuf), else a partial success naming how many records or points were
 * rejected and why. `rejected` 0 with a message is a warning (the OTLP spec). Fields at their default are left
 * out, as the JSON mapping does; int64 counts are strings in JSON.
 */
export function encodeExportAnswer(signal: 'logs' | 'metrics', encoding: OtlpEncoding, rejected: number, errorMessage: string): Buffer {
  const partialSuccess: Record<string, unknown> = {};
  if (rejected !== 0) partialSuccess[REJECTED_FIELD[signal]] = String(rejected);
  if (errorMessage !== '') partialSuccess['errorMessage'] = errorMessage;
  const answer = Object.keys(partialSuccess).length === 0 ? {} : { partialSuccess };
  if (encoding === 'json') return Buffer.from(JSON.stringify(answer));
  return protobufBytes(signal === 'logs' ? otlpTypes.exportLogsResponse : otlpTypes.exportMetricsResponse, answer);
}

/** The body of a failed export (4xx/5xx): a google.rpc.Status with the code for `httpStatus`, without details. */
export function encodeFailure(encoding: OtlpEncoding, httpStatus: number, message: string): Buffer {
  const status = { code: rpcCode(httpStatus), message };
  if (encoding === 'json') return Buffer.from(JSON.stringify(status));
  return protobufBytes(otlpTypes.rpcStatus, status);
}
