import { GraphQLError } from 'graphql';

/** Codes shared by GraphQL (`extensions.code`) and REST (mapped in rest/error-envelope.ts). */
export type ApiErrorCode =
  | 'VALIDATION_ERROR'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
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
  RATE_LIMITED: 429,
  UNAVAILABLE: 503,
};

/** `headers` travel in extensions.http.headers: Yoga sets them on the response, as does the REST envelope. */
export function apiError(code: ApiErrorCode, message: string, details?: FieldProblem[], headers?: Record<string, string>): GraphQLError {
  return new GraphQLError(message, {
    extensions: { code, http: { status: STATUS[code], ...(headers ? { headers } : {}) }, ...(details ? { details } : {}) },
  });
}

export const UNAUTHENTICATED_MESSAGE = 'Missing or invalid API key.';

export function unauthenticated(): GraphQLError {
  return apiError('UNAUTHENTICATED', UNAUTHENTICATED_MESSAGE);
}

export function forbidden(scope: string): GraphQLError {
  return apiError('FORBIDDEN', `This API key does not have the required scope: ${scope}`);
}

export function summarize(details: readonly FieldProblem[]): string {
  return details.map((d) => `${d.field}: ${d.message}`).join('; ');
}

/** A 400; the message defaults to a summary of the details. */
export function validationError(details: FieldProblem[], message?: string): GraphQLError {
  return apiError('VALIDATION_ERROR', message ?? summarize(details), details);
}

export function apiErrorCode(error: unknown): ApiErrorCode | undefined {
  if (!(error instanceof GraphQLError)) return undefined;
  const code = error.extensions?.['code'];
  return typeof code === 'string' && code in STATUS ? (code as ApiErrorCode) : undefined;
}
