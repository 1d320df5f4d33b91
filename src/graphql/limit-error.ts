import { GraphQLError, type ASTNode } from 'graphql';
import { apiError } from '../errors/api-error.js';
import { toGraphQLError } from './to-graphql-error.js';

const refusals = new WeakSet<GraphQLError>();

/**
 * A request refused by one of the GraphQL limits: 400 VALIDATION_ERROR. `spec: false` because Yoga
 * answers the errors it counts as spec validation errors with 200 to an `Accept: application/json`
 * client, and a refusal for size is a 400 whatever the client accepts.
 */
export function limitError(message: string, nodes?: ASTNode | readonly ASTNode[]): GraphQLError {
  const { extensions } = toGraphQLError(apiError('VALIDATION_ERROR', message));
  const error = new GraphQLError(message, { nodes, extensions: { ...extensions, http: { status: 400, spec: false } } });
  refusals.add(error);
  return error;
}

export function isLimitError(error: unknown): error is GraphQLError {
  return error instanceof GraphQLError && refusals.has(error);
}
