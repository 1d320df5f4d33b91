import type { IncomingMessage, ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { apiError } from '../errors/api-error.js';
import type { BodyBytesInFlight } from '../http/body-bytes-in-flight.js';
import { readBody } from '../http/read-body.js';

const gunzipAsync = promisify(gunzip);

/**
 * An OTLP export's body, decompressed when it came gzipped (the exporters' only compression). Both the bytes sent
 * and the bytes they decompress to are held to `limitBytes` (413): a small gzip body can stand for gigabytes.
 * Decompression runs on libuv's pool, off the event loop.
 */
export async function otlpRequestBody(req: IncomingMessage, res: ServerResponse, limitBytes: number, inFlight: BodyBytesInFlight): Promise<Buffer> {
  const coding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (coding !== 'gzip' && coding !== 'identity') {
    throw apiError('UNSUPPORTED_MEDIA_TYPE', 'Content-Encoding must be gzip or absent.');
  }
  const sent = await readBody(req, res, { bytes: limitBytes, anonymous: false }, inFlight);
  if (coding === 'identity') return sent;
  let body: Buffer;
  try {
    body = await gunzipAsync(sent, { maxOutputLength: limitBytes });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw apiError('PAYLOAD_TOO_LARGE', `Request body exceeds the limit of ${limitBytes} bytes once decompressed.`);
    }
    throw apiError('VALIDATION_ERROR', 'The body is not valid gzip.');
  }
  inFlight.take(res, body.length);
  return body;
}
