import { GraphQLError } from 'graphql';
import { maskError as yogaMaskError, type MaskError } from 'graphql-yoga';
import { isDatabaseUnavailable } from '../db/database-unavailable.js';
import { apiError } from '../errors/api-error.js';

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
  return yogaMaskError(error, message, isDev);
};
