import type { EventType } from './event-types.js';

/** An event that passed validation, ready to store. */
export interface ValidEvent {
  sessionId: string;
  eventType: EventType;
  ts: number;
  eventId: string | null;
  /** `data` as canonical JSON (`{}` when absent). */
  dataJson: string;
  /** `data.tool_use_id` when it is storable text (storable-text.ts): pairs a tool's result with its call. */
  toolUseId: string | null;
  /** `data.tool_name` when it is storable text: the tool a `tool_use` or `tool_result` is about. */
  toolName: string | null;
  /** `data.is_error === true`. */
  isError: boolean;
  /**
   * `data.duration_ms` in whole microseconds, when it is a finite number ≥ 0 (and below
   * 2^53 µs); else null. Microseconds keep the mean of fractional durations exact to 1 µs.
   */
  durationUs: number | null;
}
