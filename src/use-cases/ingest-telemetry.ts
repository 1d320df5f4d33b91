import type { StoreOutcome } from '../ingest/store-events.js';
import { validateEvent } from '../ingest/validate-event.js';
import type { ValidEvent } from '../ingest/valid-event.js';
import type { UsageBatch } from '../usage/store-usage.js';
import { storeAndAnnounce } from './store-and-announce.js';
import { defineUseCase } from './use-case.js';

/** What an OTLP export became once mapped (src/otlp/telemetry-from-*.ts): events, model requests, counters. */
export interface TelemetryArgs {
  /** Events in the shape `validateEvent` takes, reported by Claude Code itself. */
  events: readonly unknown[];
  usage: UsageBatch;
}

export interface TelemetryResult {
  /** Events that failed validation (counted as rejected records). */
  invalidEvents: number;
  /** A few of their reasons, for the answer's message. */
  invalidReasons: string[];
  stored: StoreOutcome;
}

/**
 * Stores one OTLP export in one transaction, as events reported by Claude Code (a session shows them only while it
 * has no events from hooks, imports or batches: store-events.ts) plus its model requests and counters. Counted
 * against the events quota as its events, model requests, errors and points together: what it asks to store.
 */
export const ingestTelemetry = defineUseCase<TelemetryArgs, TelemetryResult>({
  scope: 'write:events',
  async run(ctx, { events, usage }) {
    const valid: ValidEvent[] = [];
    const invalidReasons: string[] = [];
    for (const raw of events) {
      const check = validateEvent(raw);
      if (check.ok) valid.push(check.event);
      else if (invalidReasons.length < 3) invalidReasons.push(check.problems.map((p) => `${p.field ?? 'event'}: ${p.message}`).join('; '));
    }
    const invalidEvents = events.length - valid.length;
    const stored = await storeAndAnnounce(ctx, valid, invalidEvents, { reported: true, usage });
    return { invalidEvents, invalidReasons, stored };
  },
});
