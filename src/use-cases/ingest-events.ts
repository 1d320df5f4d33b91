import { validationError } from '../errors/api-error.js';
import { storeEvents } from '../ingest/store-events.js';
import { validateEvent } from '../ingest/validate-event.js';
import type { ValidEvent } from '../ingest/valid-event.js';
import { defineOperation } from './operation.js';

export const MAX_BATCH_SIZE = 1000;
export const BATCH_TOO_LARGE = `Batch size exceeds limit of ${MAX_BATCH_SIZE} events per request.`;

export interface EventError {
  index: number;
  /** `events[i].field`, in the REST spelling; GraphQL renames it. */
  field: string;
  message: string;
}

export interface IngestResult {
  accepted: number;
  rejected: number;
  duplicates: number;
  errors: EventError[];
  touchedSessions: string[];
}

/** `events` arrives unchecked (parsed JSON); each event is checked on its own. */
export const ingestEvents = defineOperation<{ events: unknown }, IngestResult>({
  scope: 'write:events',
  async run(ctx, { events }) {
    if (!Array.isArray(events)) {
      throw validationError([{ field: 'events', message: `must be an array of 1 to ${MAX_BATCH_SIZE} events` }]);
    }
    if (events.length === 0) throw validationError([{ field: 'events', message: 'must contain at least one event' }]);
    if (events.length > MAX_BATCH_SIZE) {
      throw validationError([{ field: 'events', message: BATCH_TOO_LARGE }], BATCH_TOO_LARGE);
    }
    const valid: ValidEvent[] = [];
    const errors: EventError[] = [];
    events.forEach((raw, index) => {
      const check = validateEvent(raw);
      if (check.ok) valid.push(check.event);
      else {
        for (const p of check.problems) {
          errors.push({ index, field: p.field ? `events[${index}].${p.field}` : `events[${index}]`, message: p.message });
        }
      }
    });
    if (valid.length > 0) await ctx.limiter?.events(ctx.principal, valid.length);
    const outcome = valid.length > 0
      ? await storeEvents(ctx.db, ctx.principal.accountId, valid)
      : { duplicates: 0, touchedSessions: [] };
    ctx.changes?.sessionsChanged(ctx.principal.accountId, outcome.touchedSessions);
    ctx.ingested?.eventsIngested({ stored: valid.length - outcome.duplicates, duplicates: outcome.duplicates, rejected: events.length - valid.length });
    return {
      accepted: valid.length,
      rejected: events.length - valid.length,
      duplicates: outcome.duplicates,
      errors,
      touchedSessions: outcome.touchedSessions,
    };
  },
});
