import { unauthenticated } from '../errors/api-error.js';
import type { AuthorizedContext } from '../use-cases/use-case.js';
import type { GraphQLContext } from './context.js';

/** For resolvers behind scope-auth: the principal is known to be there; fail closed if not. */
export function authorized(ctx: GraphQLContext): AuthorizedContext {
  if (!ctx.principal) throw unauthenticated();
  return ctx as AuthorizedContext;
}
