/** Codes shared by GraphQL (`extensions.code`) and REST (mapped in rest/error-envelope.ts). */
export type ApiErrorCode =
  | 'VALIDATION_ERROR'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'RESPONSE_TOO_LARGE'
  | 'TOO_MANY_ROWS'
  | 'RATE_LIMITED'
  | 'UNAVAILABLE';

export interface FieldProblem {
  field: string;
  message: string;
}

const STATUS: Record<ApiErrorCode, number> = {
  VALIDATION_ERROR: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  // A valid request whose answer the server will not build as asked (GraphQL response budget).
  RESPONSE_TOO_LARGE: 422,
  TOO_MANY_ROWS: 422,
  RATE_LIMITED: 429,
  UNAVAILABLE: 503,
};

/**
 * A refusal a caller should read: what went wrong, the HTTP status it stands for and, for a rate
 * limit, the headers to send. Each adapter maps it to its own wire shape (graphql/to-graphql-error.ts,
 * rest/error-envelope.ts).
 */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly status: number;

  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly details?: FieldProblem[],
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.status = STATUS[code];
  }
}

export function apiError(code: ApiErrorCode, message: string, details?: FieldProblem[], headers?: Record<string, string>): ApiError {
  return new ApiError(code, message, details, headers);
}

export const UNAUTHENTICATED_MESSAGE = 'Missing or invalid API key.';

export function unauthenticated(): ApiError {
  return apiError('UNAUTHENTICATED', UNAUTHENTICATED_MESSAGE);
}

export function forbidden(scope: string): ApiError {
  return apiError('FORBIDDEN', `This API key does not have the required scope: ${scope}`);
}

/** A database that cannot serve: the client may retry. */
export function databaseUnavailable(): ApiError {
  return apiError('UNAVAILABLE', 'The database cannot be reached. Try again shortly.');
}

export function summarize(details: readonly FieldProblem[]): string {
  return details.map((d) => `${d.field}: ${d.message}`).join('; ');
}

/** A 400; the message defaults to a summary of the details. */
export function validationError(details: FieldProblem[], message?: string): ApiError {
  return apiError('VALIDATION_ERROR', message ?? summarize(details), details);
}
