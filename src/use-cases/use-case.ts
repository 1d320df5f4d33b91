import { authorize } from '../auth/authorize.js';
import type { Principal } from '../auth/principal.js';
import type { Scope } from '../auth/scopes.js';
import type { UseCaseContext } from './use-case-context.js';

export type { UseCaseContext } from './use-case-context.js';

export interface AuthorizedContext extends UseCaseContext {
  readonly principal: Principal;
}

/** A thing a caller can do, with the scope it needs. GraphQL and REST both run it. */
export interface UseCase<Args, Result> {
  readonly scope: Scope;
  run(ctx: AuthorizedContext, args: Args): Promise<Result>;
}

export function defineUseCase<Args, Result>(useCase: UseCase<Args, Result>): UseCase<Args, Result> {
  return Object.freeze(useCase);
}

/**
 * Runs a use case behind its scope. REST calls this; GraphQL reaches the same
 * `authorize` through scope-auth before calling `useCase.run`. Arguments are read
 * only once the caller is authorized, so a caller without a key learns nothing from
 * parameter errors.
 */
export async function runGuarded<Args, Result>(
  useCase: UseCase<Args, Result>,
  ctx: UseCaseContext,
  readArgs: () => Args,
): Promise<Result> {
  const denied = authorize(ctx.principal, useCase.scope);
  if (denied) throw denied;
  return useCase.run(ctx as AuthorizedContext, readArgs());
}
