import type { IncomingMessage, ServerResponse } from 'node:http';
import { apiError, type ApiError } from '../errors/api-error.js';
import type { BodyBytesInFlight } from './body-bytes-in-flight.js';

/** How much of a body a request may send, and whose limit that is (named in the refusal). */
export interface BodyLimit {
  readonly bytes: number;
  /** The limit for requests without a valid key, smaller than the keyed one. */
  readonly anonymous: boolean;
}

function tooLarge(limit: BodyLimit): ApiError {
  const whose = limit.anonymous ? ' for a request without a valid API key' : '';
  return apiError('PAYLOAD_TOO_LARGE', `Request body exceeds the limit of ${limit.bytes} bytes${whose}.`);
}

/**
 * Reads the whole body within `limit` (413 PAYLOAD_TOO_LARGE) and within the room `inFlight` has left
 * (503 UNAVAILABLE): a declared Content-Length is judged and taken before any byte is read, a chunked body chunk
 * by chunk. The room taken is given back when `res` closes.
 */
export async function readBody(req: IncomingMessage, res: ServerResponse, limit: BodyLimit, inFlight: BodyBytesInFlight): Promise<Buffer> {
  const header = req.headers['content-length'];
  // Node has already refused a Content-Length that is not a number, and a body past it is never delivered.
  const declared = header === undefined ? null : Number(header);
  if (declared !== null && declared > limit.bytes) throw tooLarge(limit);
  if (declared !== null && declared > 0) inFlight.take(res, declared);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit.bytes) throw tooLarge(limit);
    if (declared === null) inFlight.take(res, chunk.length);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}
