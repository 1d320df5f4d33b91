import { storeEvents, type StoreOutcome } from '../ingest/store-events.js';
import type { ValidEvent } from '../ingest/valid-event.js';
import type { AuthorizedContext } from './use-case.js';

/**
 * The step both ingestion paths (a batch, a hook delivery) end with: count the valid events against
 * the caller's tier, store them in one transaction, tell live subscribers which sessions changed and
 * metrics what was stored. The events count against the quota only if that transaction commits.
 * `rejected` is how many of the caller's events failed validation.
 */
export async function storeAndAnnounce(ctx: AuthorizedContext, valid: readonly ValidEvent[], rejected: number): Promise<StoreOutcome> {
  const { accountId } = ctx.principal;
  let outcome: StoreOutcome = { inserted: 0, duplicates: 0, touchedSessions: [] };
  if (valid.length > 0) {
    outcome = await ctx.limiter.events(ctx.principal, valid.length, () => storeEvents(ctx.db, accountId, valid));
  }
  ctx.changes.sessionsChanged(accountId, outcome.touchedSessions);
  ctx.ingested.eventsIngested({ stored: valid.length - outcome.duplicates, duplicates: outcome.duplicates, rejected });
  return outcome;
}
