/**
 * How a generated session's model usage reached the gateway: from its transcript (`trenchcoat import`), from Claude
 * Code's OTLP export, or from both (one request, joined on its request id).
 */
export type TelemetrySource = 'transcript' | 'both' | 'otlp';

/** The oldest fifth of a set were imported only; the next ones also exported; the rest, and open sessions, exported only. */
const IMPORTED_ONLY = 0.2;
const IMPORTED_AND_EXPORTED = 0.35;

/**
 * As in an account that backfilled its history with `trenchcoat import` and then turned on the OTLP export: so the
 * demo shows sessions without Claude Code's own cost and counters (transcripts carry neither), sessions with both
 * costs, and sessions whose cost is Claude Code's estimate.
 */
export function telemetrySourceOf(index: number, sessions: number, open: boolean): TelemetrySource {
  const position = index / sessions;
  if (open || position >= IMPORTED_AND_EXPORTED) return 'otlp';
  return position < IMPORTED_ONLY ? 'transcript' : 'both';
}
