import { GraphQLError } from 'graphql';
import { maskError as yogaMaskError, type MaskError } from 'graphql-yoga';
import { isDatabaseUnavailable } from '../db/database-unavailable.js';
import { ApiError, databaseUnavailable } from '../errors/api-error.js';
import { toGraphQLError } from './to-graphql-error.js';

/** The error each masked error stands for, to be logged (plugins/use-masked-error-request-id.ts). */
const causes = new WeakMap<object, unknown>();

export function maskedCause(masked: object): unknown {
  return causes.get(masked) ?? masked;
}

/**
 * Yoga's masking, except for the errors a caller should read: an API error (thrown by a resolver,
 * which graphql-js wraps, by a plugin or by the context factory) keeps its message, code and HTTP
 * status, and a database that cannot serve is reported as UNAVAILABLE (503), as REST does, rather
 * than as an unexpected error: the client may retry.
 */
export const maskError: MaskError = (error, message, isDev) => {
  const located = error instanceof GraphQLError ? error : undefined;
  const original = located ? located.originalError : error;
  if (original instanceof ApiError) return toGraphQLError(original, located);
  if (original && isDatabaseUnavailable(original)) return toGraphQLError(databaseUnavailable(), located);
  const masked = yogaMaskError(error, message, isDev);
  if (masked !== error && typeof masked === 'object' && masked !== null) causes.set(masked, original ?? error);
  return masked;
};
