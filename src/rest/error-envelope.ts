import { ApiError, databaseUnavailable, type FieldProblem } from '../errors/api-error.js';

export interface RestError {
  status: number;
  body: { error: { code: string; message: string; details?: FieldProblem[] } };
  headers?: Record<string, string>;
}

/** The REST contract's names for the error codes that it spells differently. */
const REST_CODE: Record<string, string> = { UNAUTHENTICATED: 'UNAUTHORIZED' };

export function restError(status: number, code: string, message: string, details?: FieldProblem[]): RestError {
  return { status, body: { error: { code, message, ...(details && details.length > 0 ? { details } : {}) } } };
}

export function toRestError(error: ApiError): RestError {
  const envelope = restError(error.status, REST_CODE[error.code] ?? error.code, error.message, error.details);
  return error.headers ? { ...envelope, headers: error.headers } : envelope;
}

export function internalError(requestId: string): RestError {
  return restError(500, 'INTERNAL_ERROR', `An unexpected error occurred. Request id: ${requestId}.`);
}

export function unavailableError(): RestError {
  return toRestError(databaseUnavailable());
}
