import type { WebSocket } from 'ws';

/** The close frame's reason may hold 123 bytes of UTF-8; a longer one is cut (ws would throw on it). */
const MAX_REASON_BYTES = 123;

function fitted(reason: string): string {
  if (Buffer.byteLength(reason) <= MAX_REASON_BYTES) return reason;
  let cut = reason.slice(0, MAX_REASON_BYTES);
  // Room for the ellipsis (3 bytes).
  while (Buffer.byteLength(cut) > MAX_REASON_BYTES - 3) cut = cut.slice(0, -1);
  return `${cut}…`;
}

/**
 * Closes a socket with `code` and `reason` (cut to fit), once: a socket already closing keeps its first code. A refusal
 * that HTTP answers with status S closes with 4000 + S (4400, 4401, 4403, 4413, 4429, 4503), as graphql-ws numbers its own.
 */
export function closeSocket(socket: WebSocket, code: number, reason: string): void {
  if (socket.readyState !== socket.OPEN && socket.readyState !== socket.CONNECTING) return;
  socket.close(code, fitted(reason));
}

/** The close code standing for an HTTP status. */
export function closeCodeFor(status: number): number {
  return 4000 + status;
}
