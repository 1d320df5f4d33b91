import { GraphQLError } from 'graphql';
import type { ApiError } from '../errors/api-error.js';

/** Where in the operation an error happened: the GraphQLError graphql-js (or graphql-jit) wrapped it in. */
type Located = Pick<GraphQLError, 'nodes' | 'source' | 'positions' | 'path'>;

/**
 * The GraphQL shape of an API error: `extensions.code`, `extensions.http` (Yoga answers with its
 * status and headers) and the field problems in `extensions.details`, at the place it was raised.
 */
export function toGraphQLError(error: ApiError, at?: Located): GraphQLError {
  return new GraphQLError(error.message, {
    nodes: at?.nodes,
    source: at?.source,
    positions: at?.positions,
    path: at?.path,
    extensions: {
      code: error.code,
      http: { status: error.status, ...(error.headers ? { headers: error.headers } : {}) },
      ...(error.details ? { details: error.details } : {}),
    },
  });
}
