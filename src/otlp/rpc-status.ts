import type { ApiError } from '../errors/api-error.js';

/**
 * The google.rpc.Status code OTLP answers carry with an HTTP failure (the OTLP/HTTP spec: the body of a failed
 * export is a Status), by the HTTP status the gateway chose.
 */
export function rpcCode(httpStatus: number): number {
  switch (httpStatus) {
    case 400:
    case 413:
    case 415:
      return 3; // INVALID_ARGUMENT
    case 401:
      return 16; // UNAUTHENTICATED
    case 403:
      return 7; // PERMISSION_DENIED
    case 429:
      return 8; // RESOURCE_EXHAUSTED
    case 503:
      return 14; // UNAVAILABLE
    default:
      return 13; // INTERNAL
  }
}

/** An API error as a Status object (JSON mapping: lowerCamelCase, `details` left out). */
export function rpcStatus(error: Pick<ApiError, 'status' | 'message'>): { code: number; message: string } {
  return { code: rpcCode(error.status), message: error.message };
}
