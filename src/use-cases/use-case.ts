import type { Kysely } from 'kysely';
import { authorize } from '../auth/authorize.js';
import type { Principal } from '../auth/principal.js';
import type { Scope } from '../auth/scopes.js';
import type { Tables } from '../db/tables.js';
import type { ChangeSink } from '../live/change-publisher.js';
import type { RateLimiter } from '../limits/rate-limiter.js';
import type { IngestSink } from '../metrics/ingest-sink.js';

/** What every use case may see: the caller (if any), the database and the clock. */
export interface UseCaseContext {
  readonly principal: Principal | null;
  readonly db: Kysely<Tables>;
  readonly now: () => number;
  /** Told which sessions a committed ingestion touched (live subscriptions); absent where nobody listens. */
  readonly changes?: ChangeSink;
  /** Counts ingested events against the key's tier; absent for trusted local callers (CLI import, demo). */
  readonly limiter?: RateLimiter;
  /** Told what each committed ingestion stored, found duplicate and rejected (metrics); absent where nobody counts. */
  readonly ingested?: IngestSink;
}

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
