import { ingestEvents, type EventError, type IngestResult } from '../../use-cases/ingest-events.js';
import type { ArgumentNames } from '../../use-cases/argument-names.js';
import { authorized } from '../authorized.js';
import { builder } from '../builder.js';
import { INGESTING_FIELD } from '../ingesting-field.js';

const EventInput = builder.inputType('EventInput', {
  description: 'One telemetry event. Fields are checked per event, as in POST /api/v1/events.',
  fields: (t) => ({
    eventType: t.string({ required: true }),
    sessionId: t.string({ required: true, description: 'A UUID; stored lower-case.' }),
    timestamp: t.string({ required: true, description: 'ISO 8601 date-time with Z or an offset.' }),
    data: t.field({ type: 'JSONObject', required: false }),
    eventId: t.string({ required: false, description: 'Up to 128 characters; deduplicates deliveries.' }),
  }),
});

/** EventInput's names for the event fields it maps, so per-event errors name the fields the caller sent. */
const EVENT_INPUT_NAMES: ArgumentNames = { event_type: 'eventType', session_id: 'sessionId', event_id: 'eventId' };

const EventErrorType = builder.objectRef<EventError>('EventError').implement({
  fields: (t) => ({
    index: t.exposeInt('index'),
    field: t.exposeString('field'),
    message: t.exposeString('message'),
  }),
});

const IngestEventsPayload = builder.objectRef<IngestResult>('IngestEventsPayload').implement({
  fields: (t) => ({
    accepted: t.exposeInt('accepted', { description: 'Valid events, including duplicates already stored.' }),
    rejected: t.exposeInt('rejected'),
    duplicates: t.exposeInt('duplicates'),
    errors: t.expose('errors', { type: [EventErrorType] }),
  }),
});

builder.mutationField('ingestEvents', (t) =>
  t.field({
    type: IngestEventsPayload,
    nullable: true,
    description: 'Stores 1 to 1000 events in one transaction. Needs write:events.',
    args: { events: t.arg({ type: [EventInput], required: true }) },
    authScopes: { scope: ingestEvents.scope },
    extensions: INGESTING_FIELD,
    resolve: (_root, args, ctx) =>
      ingestEvents.run(authorized(ctx), {
        events: args.events.map((e) => ({
          event_type: e.eventType,
          session_id: e.sessionId,
          timestamp: e.timestamp,
          data: e.data ?? undefined,
          event_id: e.eventId ?? undefined,
        })),
        names: EVENT_INPUT_NAMES,
      }),
  }),
);
