import type { Kysely } from 'kysely';
import { authorize } from '../auth/authorize.js';
import type { Principal } from '../auth/principal.js';
import type { Scope } from '../auth/scopes.js';
import type { Tables } from '../db/tables.js';
import type { ChangeSink } from '../live/change-publisher.js';
import type { RateLimiter } from '../limits/rate-limiter.js';
import type { IngestSink } from '../metrics/ingest-sink.js';

/** What every operation may see: the caller (if any), the database and the clock. */
export interface OperationContext {
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

export interface AuthorizedContext extends OperationContext {
  readonly principal: Principal;
}

/** A thing a caller can do, with the scope it needs. GraphQL and REST both run it. */
export interface Operation<Args, Result> {
  readonly scope: Scope;
  run(ctx: AuthorizedContext, args: Args): Promise<Result>;
}

export function defineOperation<Args, Result>(operation: Operation<Args, Result>): Operation<Args, Result> {
  return Object.freeze(operation);
}

/**
 * Runs an operation behind its scope. REST calls this; GraphQL reaches the same
 * `authorize` through scope-auth before calling `operation.run`. Arguments are read
 * only once the caller is authorized, so a caller without a key learns nothing from
 * parameter errors.
 */
export async function runGuarded<Args, Result>(
  operation: Operation<Args, Result>,
  ctx: OperationContext,
  readArgs: () => Args,
): Promise<Result> {
  const denied = authorize(ctx.principal, operation.scope);
  if (denied) throw denied;
  return operation.run(ctx as AuthorizedContext, readArgs());
}
