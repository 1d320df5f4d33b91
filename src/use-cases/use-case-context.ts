import type { Kysely } from 'kysely';
import type { Principal } from '../auth/principal.js';
import type { Tables } from '../db/tables.js';
import type { ChangeSink } from '../live/change-publisher.js';
import type { IngestSink } from '../metrics/ingest-sink.js';
import { PriceTable } from '../usage/price-table.js';

/**
 * Counts ingested events against the caller's tier around the store: throws RATE_LIMITED when over (`store` never
 * runs), and gives the events back when `store` throws (nothing was stored).
 */
export interface EventLimiter {
  events<T>(principal: Principal, count: number, store: () => Promise<T>): Promise<T>;
}

/** What a use case reaches beyond its arguments. Every one is present; a caller without a listener passes a no-op. */
export interface UseCaseServices {
  readonly db: Kysely<Tables>;
  /** For long reads (analytics): off the event loop where the engine would block it (Database.readsOffLoop), else `db`. */
  readonly readsOffLoop: Kysely<Tables>;
  readonly now: () => number;
  /** Told which sessions a committed ingestion touched (live subscriptions). */
  readonly changes: ChangeSink;
  /** Counts ingested events against the key's tier. */
  readonly limiter: EventLimiter;
  /** Told what each committed ingestion stored, found duplicate and rejected (metrics). */
  readonly ingested: IngestSink;
  /** The model prices usage is costed with: the bundled list, or it with TRENCHCOAT_PRICES_FILE over it. */
  readonly prices: PriceTable;
}

/** What every use case may see: the caller (null without a valid key) and the services. */
export interface UseCaseContext extends UseCaseServices {
  readonly principal: Principal | null;
}

export const NO_CHANGES: ChangeSink = Object.freeze({ sessionsChanged() {} });
export const NO_LIMIT: EventLimiter = Object.freeze({ events: <T>(_principal: Principal, _count: number, store: () => Promise<T>) => store() });
export const NO_INGEST_COUNT: IngestSink = Object.freeze({ eventsIngested() {} });

/** The one place a use-case context is built: HTTP (REST and GraphQL), demo, seed and import alike. */
export function createUseCaseContext(services: UseCaseServices, principal: Principal | null): UseCaseContext {
  const { db, readsOffLoop, now, changes, limiter, ingested, prices } = services;
  return { principal, db, readsOffLoop, now, changes, limiter, ingested, prices };
}

/**
 * Services outside a gateway process (a CLI command, a benchmark): no rate limit (the caller is trusted and
 * local) and no metrics (no registry in this process); live changes go to `changes` when the command has a
 * relay to the running gateways, else nowhere.
 */
export function localServices(db: Kysely<Tables>, changes: ChangeSink = NO_CHANGES, now: () => number = Date.now): UseCaseServices {
  return { db, readsOffLoop: db, now, changes, limiter: NO_LIMIT, ingested: NO_INGEST_COUNT, prices: PriceTable.bundled() };
}
