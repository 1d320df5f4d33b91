import { GraphQLError } from 'graphql';
import { apiErrorCode, summarize, type FieldProblem } from '../errors/api-error.js';

export interface RestError {
  status: number;
  body: { error: { code: string; message: string; details?: FieldProblem[] } };
  headers?: Record<string, string>;
}

/** GraphQL's names for the REST contract's error codes and argument names. */
const REST_CODE: Record<string, string> = { UNAUTHENTICATED: 'UNAUTHORIZED' };
const REST_FIELD: Record<string, string> = { startDate: 'start_date', endDate: 'end_date' };

export function restError(status: number, code: string, message: string, details?: FieldProblem[]): RestError {
  return { status, body: { error: { code, message, ...(details && details.length > 0 ? { details } : {}) } } };
}

function restField(field: string): string {
  return REST_FIELD[field] ?? field;
}

/** Maps an error raised by an operation to the REST envelope; null when it is not an API error. */
export function fromApiError(error: unknown): RestError | null {
  const code = apiErrorCode(error);
  if (!code || !(error instanceof GraphQLError)) return null;
  const { status, headers } = error.extensions['http'] as { status: number; headers?: Record<string, string> };
  const details = error.extensions['details'] as FieldProblem[] | undefined;
  const restDetails = details?.map((d) => ({ field: restField(d.field), message: d.message }));
  // A message that only summarizes the details is re-spelled with the REST field names.
  const message = details && restDetails && error.message === summarize(details) ? summarize(restDetails) : error.message;
  return { ...restError(status, REST_CODE[code] ?? code, message, restDetails), ...(headers ? { headers } : {}) };
}

export function internalError(requestId: string): RestError {
  return restError(500, 'INTERNAL_ERROR', `An unexpected error occurred. Request id: ${requestId}.`);
}

export function unavailableError(): RestError {
  return restError(503, 'UNAVAILABLE', 'The database cannot be reached. Try again shortly.');
}
