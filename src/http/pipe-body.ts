import type { ServerResponse } from 'node:http';
import type { StreamCutReason, StreamGuard } from './stream-guard.js';

/**
 * Writes `body` to `res` and ends it. The next chunk is read only once the socket has drained, so a
 * slow reader's backlog stays where it was produced (a live subscriber's coalescing queue). When the
 * client goes away the body is cancelled at once, which ends the subscription behind it. With a
 * guard, a stream holding more than `bufferBytes` unsent, or whose unsent bytes see no progress for
 * `writeTimeoutMs`, has its connection destroyed: a client that does not read cannot hold memory.
 */
export async function pipeBody(res: ServerResponse, body: ReadableStream<Uint8Array>, guard: StreamGuard | null): Promise<void> {
  if (res.destroyed) {
    // The client left while the response was being made: only the body's source is left to stop.
    await body.cancel().catch(() => {});
    return;
  }
  const reader = body.getReader();
  const socket = res.socket;
  let left = false;
  let wake: (() => void) | null = null;
  let unsent = 0;
  let watchdog: NodeJS.Timeout | undefined;
  let measuring = false;

  function clientLeft(): void {
    if (left) return;
    left = true;
    wake?.();
    // A reader's cancel waits, in @whatwg-node's ReadableStream (Yoga's), for the read in flight: for a quiet
    // subscription that is the next message or keep-alive, seconds away. Cancelling the stream itself stops it
    // now, running the subscription's return(); a standard ReadableStream refuses that while locked, and
    // honours the reader's cancel instead.
    reader.cancel().catch(() => {});
    body.cancel().catch(() => {});
  }
  res.once('close', () => {
    clearTimeout(watchdog);
    clientLeft();
  });
  // The client's FIN or reset reaches the socket a turn of the event loop before the response's 'close': a
  // client that reconnects at once must find its slot free.
  socket?.once('end', clientLeft);
  socket?.once('error', clientLeft);

  function cutOff(reason: StreamCutReason): void {
    if (res.destroyed || !guard) return;
    const bufferedBytes = res.writableLength;
    res.destroy();
    guard.cut(res, reason, bufferedBytes);
  }

  /** Progress: one write was taken by the kernel. */
  function written(): void {
    if (res.destroyed) return;
    unsent--;
    if (unsent > 0) {
      watchdog?.refresh();
    } else {
      clearTimeout(watchdog);
      watchdog = undefined;
    }
  }

  function write(chunk: Uint8Array): boolean {
    if (!guard) return res.write(chunk);
    if (++unsent === 1) watchdog = setTimeout(() => cutOff('timeout'), guard.writeTimeoutMs);
    const flushed = res.write(chunk, written);
    // A write is corked until the next tick; what the kernel did not take is known only after that.
    if (!measuring) {
      measuring = true;
      setImmediate(() => {
        measuring = false;
        if (res.writableLength > guard.bufferBytes) cutOff('buffer');
      });
    }
    return flushed;
  }

  try {
    for (;;) {
      let chunk: Uint8Array;
      try {
        const next = await reader.read();
        if (next.done) break;
        chunk = next.value;
      } catch (error) {
        // Our own cancel (the client left) rejects the read in flight; anything else is the body's error.
        if (left) return;
        throw error;
      }
      if (left) return;
      if (!write(chunk) && !left) {
        await new Promise<void>((resolve) => {
          wake = resolve;
          res.once('drain', resolve);
        });
        wake = null;
        if (left) return;
      }
    }
    res.end();
  } finally {
    socket?.off('end', clientLeft);
    socket?.off('error', clientLeft);
  }
}
