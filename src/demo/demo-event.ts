/** A generated event, in the shape POST /api/v1/events takes. */
export interface DemoEvent {
  event_type: string;
  session_id: string;
  timestamp: string;
  event_id: string;
  data?: Record<string, unknown>;
}

/** A generated event before its session is placed in time: `at` in epoch milliseconds. */
export type TimedDemoEvent = Omit<DemoEvent, 'timestamp'> & { at: number };
