import type { ServerResponse } from 'node:http';
import type { StreamGuard } from './stream-guard.js';
import { StreamWriter } from './stream-writer.js';

/**
 * Writes `body` to `res` and ends it, under the stream limits when `guard` is given (see StreamWriter). The next
 * chunk is read only once the socket has drained. When the client goes away the body is cancelled at once,
 * which ends the subscription behind it.
 */
export async function pipeBody(res: ServerResponse, body: ReadableStream<Uint8Array>, guard: StreamGuard | null): Promise<void> {
  if (res.destroyed) {
    // The client left while the response was being made: only the body's source is left to stop.
    await body.cancel().catch(() => {});
    return;
  }
  const reader = body.getReader();
  const writer = new StreamWriter(res, guard, () => {
    // A reader's cancel waits, in @whatwg-node's ReadableStream (Yoga's), for the read in flight: for a quiet
    // subscription that is the next message or keep-alive, seconds away. Cancelling the stream itself stops it
    // now, running the subscription's return(); a standard ReadableStream refuses that while locked, and
    // honours the reader's cancel instead.
    reader.cancel().catch(() => {});
    body.cancel().catch(() => {});
  });
  try {
    for (;;) {
      let chunk: Uint8Array;
      try {
        const next = await reader.read();
        if (next.done) break;
        chunk = next.value;
      } catch (error) {
        // Our own cancel (the client left) rejects the read in flight; anything else is the body's error.
        if (writer.left) return;
        throw error;
      }
      if (writer.left) return;
      if (!writer.write(chunk)) {
        await writer.drained();
        if (writer.left) return;
      }
    }
    writer.end();
  } finally {
    writer.release();
  }
}
