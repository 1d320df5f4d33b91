import { storeEvents, type StoreOptions, type StoreOutcome } from '../ingest/store-events.js';
import type { ValidEvent } from '../ingest/valid-event.js';
import { usageItems } from '../usage/store-usage.js';
import type { AuthorizedContext } from './use-case.js';

/**
 * The step every ingestion path (a batch, a hook delivery, an OTLP export) ends with: count what it stores against
 * the caller's tier (the valid events, and with `options.usage` its model requests, failures and counter points),
 * store it in one transaction, tell live subscribers which sessions changed and metrics what was stored. It counts
 * against the quota only if that transaction commits. `rejected` is how many of the caller's events failed validation.
 */
export async function storeAndAnnounce(ctx: AuthorizedContext, valid: readonly ValidEvent[], rejected: number, options: StoreOptions = {}): Promise<StoreOutcome> {
  const { accountId } = ctx.principal;
  let outcome: StoreOutcome = { inserted: 0, duplicates: 0, touchedSessions: [] };
  const count = valid.length + (options.usage ? usageItems(options.usage) : 0);
  if (count > 0) {
    outcome = await ctx.limiter.events(ctx.principal, count, () => storeEvents(ctx.db, accountId, valid, options));
  }
  ctx.changes.sessionsChanged(accountId, outcome.touchedSessions);
  ctx.ingested.eventsIngested({ stored: valid.length - outcome.duplicates, duplicates: outcome.duplicates, rejected });
  return outcome;
}
