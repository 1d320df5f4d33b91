import type { LiveOutletSlot } from '../graphql/live-outlet.js';

/**
 * A GraphQL result stream answered as Server-Sent Events by the HTTP layer itself (write-event-stream.ts), not
 * through a fetch Response body: Yoga's body is a web stream of several chunks per message, which costs more
 * per message than making and writing it, and a thousand subscribers of one change repeat that work.
 */
export interface EventStream {
  readonly results: AsyncIterable<unknown>;
  /** A result's JSON as its client reads it. */
  stringify(result: object): string;
  /** Where the writer offers itself for live messages written around the results (src/graphql/live-outlet.ts). */
  readonly outlet?: LiveOutletSlot;
}

const streams = new WeakMap<Response, EventStream>();

const EVENT_STREAM_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-type': 'text/event-stream',
  connection: 'keep-alive',
  'cache-control': 'no-cache',
  'content-encoding': 'none',
});

/** A bodiless 200 that stands for `stream` as an event stream. */
export function eventStreamResponse(fetchAPI: { Response: typeof Response }, stream: EventStream): Response {
  const response = new fetchAPI.Response(null, { status: 200, headers: EVENT_STREAM_HEADERS });
  streams.set(response, stream);
  return response;
}

/** The stream `response` stands for, when it was made by `eventStreamResponse`. */
export function eventStreamOf(response: Response): EventStream | undefined {
  return streams.get(response);
}
