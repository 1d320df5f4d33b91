import type { GraphQLError } from 'graphql';
import { forbidden, unauthenticated } from '../errors/api-error.js';
import type { Principal } from './principal.js';
import type { Scope } from './scopes.js';

/**
 * The one decision on whether a caller may use an operation. GraphQL reaches it through
 * scope-auth (graphql/builder.ts), REST through the same operation guard (operations/operation.ts).
 * Returns null when allowed, else the error to report.
 */
export function authorize(principal: Principal | null, scope: Scope): GraphQLError | null {
  if (!principal) return unauthenticated();
  if (!principal.scopes.has(scope)) return forbidden(scope);
  return null;
}
