import { GraphQLError } from 'graphql';

/**
 * A copy of `error` where it stands (nodes, source, positions, path) with another message or other extensions.
 * Errors are copied rather than changed: some (graphql-jit's) are frozen or have no extensions object.
 */
export function rebuiltError(
  error: GraphQLError,
  changes: { readonly message?: string; readonly extensions?: GraphQLError['extensions']; readonly keepOriginalError?: boolean },
): GraphQLError {
  return new GraphQLError(changes.message ?? error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: changes.keepOriginalError === false ? undefined : error.originalError,
    extensions: changes.extensions ?? error.extensions,
  });
}
