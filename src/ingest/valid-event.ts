import type { EventType } from './event-types.js';

/** An event that passed validation, ready to store. */
export interface ValidEvent {
  sessionId: string;
  eventType: EventType;
  ts: number;
  eventId: string | null;
  /** `data` as canonical JSON (`{}` when absent). */
  dataJson: string;
  /** `data.tool_use_id` when it is a string: pairs a tool's result with its call. */
  toolUseId: string | null;
}
