import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';

/** Of a body its answer left unread, what Node may still read and discard to keep the connection. */
export const UNREAD_BODY_KEEP_BYTES = 64 * 1024;
/** How long a connection closed over an unread body stays open, unread, before it is reset. */
export const LINGER_MS = 2_000;

/**
 * Whether an answer ends its connection: it was sent before its request's body was read (a 401, 413, 415, 429
 * or 503) and what is left of that body may be larger than is worth reading to keep the connection. Reading and
 * discarding it is what costs: a few hundred keyless 5 MiB uploads kept the event loop copying bytes for seconds.
 */
export function closesAfterAnswer(req: IncomingMessage): boolean {
  if (req.complete) return false;
  const declared = Number(req.headers['content-length']);
  return !(req.headers['content-length'] !== undefined && Number.isSafeInteger(declared) && declared <= UNREAD_BODY_KEEP_BYTES);
}

/**
 * After the answer, ends the connection without reading more of it: the answer and a FIN go out, reading stops,
 * and the socket is destroyed LINGER_MS later (or when the client has gone). Node's own close would destroy it as
 * soon as the FIN is written, and a reset over unread bytes can reach a client still sending before it has read
 * the answer: it sees ECONNRESET instead of its 401 or 413.
 */
export function lingerBeforeClose(socket: Socket): void {
  // Node's HTTP server calls destroySoon() once an answer marked `Connection: close` is finished.
  socket.destroySoon = function lingeringClose(this: Socket) {
    this.end();
    // After Node's own dump of the unread body has asked the socket to read (on the next tick).
    setImmediate(() => this.pause());
    const timer = setTimeout(() => this.destroy(), LINGER_MS);
    timer.unref();
    this.once('close', () => clearTimeout(timer));
  };
}
