import { validationError } from '../errors/api-error.js';
import { validateEvent } from '../ingest/validate-event.js';
import type { ValidEvent } from '../ingest/valid-event.js';
import { callerName, type ArgumentNames } from './argument-names.js';
import { storeAndAnnounce } from './store-and-announce.js';
import { defineUseCase } from './use-case.js';

export const MAX_BATCH_SIZE = 1000;
export const BATCH_TOO_LARGE = `Batch size exceeds limit of ${MAX_BATCH_SIZE} events per request.`;

export interface EventError {
  index: number;
  /** `events[i].field`, the field in the caller's spelling. */
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
export interface IngestEventsArgs {
  events: unknown;
  /** The caller's spelling of an event's fields (`session_id`…), for the per-event errors. */
  names?: ArgumentNames;
}

export const ingestEvents = defineUseCase<IngestEventsArgs, IngestResult>({
  scope: 'write:events',
  async run(ctx, { events, names }) {
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
          errors.push({ index, field: p.field ? `events[${index}].${callerName(names, p.field)}` : `events[${index}]`, message: p.message });
        }
      }
    });
    const outcome = await storeAndAnnounce(ctx, valid, events.length - valid.length);
    return {
      accepted: valid.length,
      rejected: events.length - valid.length,
      duplicates: outcome.duplicates,
      errors,
      touchedSessions: outcome.touchedSessions,
    };
  },
});
