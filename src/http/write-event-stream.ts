import type { ServerResponse } from 'node:http';
import type { ExecutionResult } from 'graphql';
import type { LiveOutlet } from '../graphql/live-outlet.js';
import type { EventStream } from './event-stream-response.js';
import type { StreamGuard } from './stream-guard.js';
import { StreamWriter } from './stream-writer.js';

/** A comment line: browsers that wait for a first byte before reporting the response get one at once. */
const PING = ':\n\n';
const COMPLETE = 'event: complete\ndata:\n\n';
/** How often an idle stream is pinged, so that proxies and clients keep it open (as Yoga does). */
const EVENT_STREAM_PING_MS = 12_000;

/** Unsent bytes below which a live message written around the results does not wait (a stream's high-water mark). */
const OUTLET_BYTES = 16 * 1024;

/** Each result's message, made once however many streams carry it (the live feed shares one answer). */
const frames = new WeakMap<object, string>();

function frameOf(result: object, stringify: (result: object) => string): string {
  let frame = frames.get(result);
  if (frame === undefined) frames.set(result, (frame = `event: next\ndata: ${stringify(result)}\n\n`));
  return frame;
}

/**
 * A stream's outlet for live messages written around its results: the `next` event its own loop would write. A
 * class, not an object literal with a getter: a thousand outlets then share one shape, and the fan-out's calls
 * stay fast.
 */
class EventStreamOutlet implements LiveOutlet {
  readonly #writer: StreamWriter;
  readonly #stringify: (result: object) => string;

  constructor(writer: StreamWriter, stringify: (result: object) => string) {
    this.#writer = writer;
    this.#stringify = stringify;
  }

  get ready(): boolean {
    return !this.#writer.left && this.#writer.unsentBytes <= OUTLET_BYTES;
  }

  write(result: ExecutionResult): void {
    this.#writer.write(frameOf(result, this.#stringify));
  }
}

/**
 * Writes a GraphQL result stream as Server-Sent Events in GraphQL over SSE's distinct-connections format (`next`
 * messages, then `complete`), a ping first and every `pingMs` while the client keeps up, under the stream limits
 * (StreamWriter). The next result is taken only once the socket drained; the client leaving ends the results.
 */
export async function writeEventStream(res: ServerResponse, stream: EventStream, guard: StreamGuard, pingMs = EVENT_STREAM_PING_MS): Promise<void> {
  const { stringify } = stream;
  const iterator = stream.results[Symbol.asyncIterator]();
  const stop = () => void Promise.resolve(iterator.return?.()).catch(() => {});
  if (res.destroyed) {
    stop();
    return;
  }
  const writer = new StreamWriter(res, guard, stop);
  const ping = setInterval(() => {
    if (!writer.left && !writer.waiting) writer.write(PING);
  }, pingMs);
  try {
    writer.write(PING);
    if (stream.outlet) stream.outlet.outlet = new EventStreamOutlet(writer, stringify);
    for (;;) {
      const next = await iterator.next();
      if (writer.left) return;
      if (next.done) break;
      if (next.value === null || typeof next.value !== 'object') continue;
      if (!writer.write(frameOf(next.value, stringify))) {
        await writer.drained();
        if (writer.left) return;
      }
    }
    writer.end(COMPLETE);
  } finally {
    if (stream.outlet) stream.outlet.outlet = null;
    clearInterval(ping);
    writer.release();
  }
}
