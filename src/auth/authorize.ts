import { forbidden, unauthenticated, type ApiError } from '../errors/api-error.js';
import type { Principal } from './principal.js';
import type { Scope } from './scopes.js';

/**
 * The one decision on whether a caller may run a use case. GraphQL reaches it through
 * scope-auth (graphql/builder.ts), REST through the same use-case guard (use-cases/use-case.ts).
 * Returns null when allowed, else the error to report.
 */
export function authorize(principal: Principal | null, scope: Scope): ApiError | null {
  if (!principal) return unauthenticated();
  if (!principal.scopes.has(scope)) return forbidden(scope);
  return null;
}
