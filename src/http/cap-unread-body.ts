import type { IncomingMessage } from 'node:http';

/**
 * Of a body left unread by its answer (a 401, 413, 415, 429 or 503 sent before the body was read), Node would read
 * and discard the rest to keep the connection: a few hundred keyless 5 MiB uploads kept the event loop busy for
 * seconds that way. The rest is still read (a client that waits to finish sending before it reads gets its answer),
 * but past `limitBytes` more the connection is closed instead.
 */
export function capUnreadBody(req: IncomingMessage, limitBytes: number): void {
  if (req.complete) return;
  let discarded = 0;
  req.on('data', (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > limitBytes) req.socket.destroy();
  });
}
