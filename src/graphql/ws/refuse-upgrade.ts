import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Refusal } from '../../http/admission.js';

/**
 * Answers a WebSocket handshake that is refused with a plain HTTP response (no socket is opened), its body the
 * refusal's JSON, and closes the connection.
 */
export function refuseUpgrade(socket: Duplex, refusal: Refusal): void {
  if (socket.destroyed) return;
  const body = JSON.stringify(refusal.body);
  const headers: Record<string, string | number> = {
    ...refusal.headers,
    connection: 'close',
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  };
  const head = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join('');
  socket.end(`HTTP/1.1 ${refusal.status} ${STATUS_CODES[refusal.status] ?? ''}\r\n${head}\r\n${body}`);
  // A client that does not read its refusal does not keep the connection.
  setTimeout(() => socket.destroy(), 1000).unref();
}
