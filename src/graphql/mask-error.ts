import { GraphQLError } from 'graphql';
import { maskError as yogaMaskError, type MaskError } from 'graphql-yoga';
import { isDatabaseUnavailable } from '../db/database-unavailable.js';
import { apiError } from '../errors/api-error.js';

/** The error each masked error stands for, to be logged (plugins/use-masked-error-request-id.ts). */
const causes = new WeakMap<object, unknown>();

export function maskedCause(masked: object): unknown {
  return causes.get(masked) ?? masked;
}

/**
 * Yoga's masking, except that a database that cannot serve is reported as UNAVAILABLE (503),
 * as REST does, rather than as an unexpected error: the client may retry.
 */
export const maskError: MaskError = (error, message, isDev) => {
  const original = error instanceof GraphQLError ? error.originalError : error;
  if (original && isDatabaseUnavailable(original)) {
    const unavailable = apiError('UNAVAILABLE', 'The database cannot be reached. Try again shortly.');
    return error instanceof GraphQLError
      ? new GraphQLError(unavailable.message, { nodes: error.nodes, path: error.path, extensions: unavailable.extensions })
      : unavailable;
  }
  const masked = yogaMaskError(error, message, isDev);
  if (masked !== error && typeof masked === 'object' && masked !== null) causes.set(masked, original ?? error);
  return masked;
};
