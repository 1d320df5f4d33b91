import { GraphQLError } from 'graphql';

/**
 * A request about persisted documents refused before any document is chosen: 400 under every Accept (`spec: false`;
 * Yoga answers what it counts as a document's own error with 200 to an `application/json` client).
 */
export function requestRefusal(message: string, code: 'VALIDATION_ERROR' | 'UNTRUSTED_DOCUMENT' = 'VALIDATION_ERROR'): GraphQLError {
  return new GraphQLError(message, { extensions: { code, http: { status: 400, spec: false } } });
}
