import { promisify } from 'node:util';
import { brotliCompress, brotliCompressSync, constants, gzip, gzipSync, type BrotliOptions } from 'node:zlib';
import type { ContentCoding } from './accepted-coding.js';

/** Below this, an encoded answer saves less than its headers and the encoder's round trip cost. */
export const COMPRESS_MIN_BYTES = 1024;

/**
 * Chosen by measuring, one core, hot loop: brotli 2 keeps 98-99% of brotli 3's saving for 55-68% of its time
 * (an 8.9 KB page of 50 sessions: 2,244 bytes in 47 µs against 2,196 in 69 µs; a 200-session page of 36 KB: 8,430
 * bytes in 165 µs against 8,368 in 302 µs; the 45 KB API description: 9,199 bytes in 213 µs against 8,908 in
 * 347 µs; Intel Xeon, 2026-12-06), and beats gzip 1 on both counts. gzip 1 is within 5-12% of gzip 6's size for a
 * third to a sixth of its time. CPU, not bandwidth, is what the gateway runs short of.
 */
const BROTLI_QUALITY = 2;
/**
 * An answer encoded in place (at most ENCODE_IN_PLACE_MAX_BYTES) is at most a few KB once encoded at any quality,
 * two or three TCP segments, well inside the first round trip's congestion window (RFC 6928: ten segments): a
 * better ratio saves no round trip there, while the encoder's time holds up every request on the event loop.
 * Measured in the server (AMD EPYC, 2026-12-07, GraphQL's 50-session page of 8,963 bytes, browser requests from
 * 10 connections, encoder timed in place): brotli 2 took 109-114 µs per answer for 2,346 bytes, brotli 1 75-84 µs
 * for 2,620, brotli 0 65-72 µs for 2,979, gzip 1 84 µs for 2,547. Brotli 1 is the cheapest that stays near gzip's size.
 */
const BROTLI_IN_PLACE_QUALITY = 1;
const GZIP_LEVEL = 1;

const brotliAsync = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

/** JSON of any flavour (application/json, application/graphql-response+json, application/problem+json). */
const JSON_TYPE = /^\s*application\/(?:[\w.-]+\+)?json\s*(?:;|$)/i;

/**
 * Whether answers of this type are encoded (when they reach COMPRESS_MIN_BYTES): JSON only. HTML and the docs
 * page's files are left as they are (GraphiQL's page brings its own gzip, compressed once).
 */
export function isCompressibleType(contentType: string | null | undefined): boolean {
  return typeof contentType === 'string' && JSON_TYPE.test(contentType);
}

/** log2 of the smallest window holding `bytes`, within what brotli takes (10 to 24). */
function windowBitsFor(bytes: number): number {
  return Math.min(constants.BROTLI_MAX_WINDOW_BITS, Math.max(constants.BROTLI_MIN_WINDOW_BITS, Math.ceil(Math.log2(bytes + 1))));
}

/**
 * Below this, an answer is encoded on the event loop: handing a small one to the thread pool and back costs more
 * than encoding it (an 8.9 KB page of sessions: brotli 71 µs in place, 128 µs through the pool; gzip 45 µs, 136 µs),
 * and browsers, which always ask for an encoding, sent GraphQL at 0.6× the rate of plain clients because of it.
 */
export const ENCODE_IN_PLACE_MAX_BYTES = 16 * 1024;

function brotliOptions(bytes: number, quality: number): BrotliOptions {
  return {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: quality,
      [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
      [constants.BROTLI_PARAM_SIZE_HINT]: bytes,
      // A window no larger than the answer: the encoder's buffers are sized by it (4 MiB at the default 22).
      [constants.BROTLI_PARAM_LGWIN]: windowBitsFor(bytes),
    },
  };
}

/**
 * Encodes a whole answer: a small one in place, a larger one on libuv's thread pool (zlib's async API), so the
 * event loop serves other requests meanwhile. The answer was built under the response budget; the encoded copy
 * is never larger than a few bytes more than it.
 */
export function encodeAnswer(content: Buffer, coding: ContentCoding): Promise<Buffer> {
  if (content.length <= ENCODE_IN_PLACE_MAX_BYTES) {
    try {
      return Promise.resolve(coding === 'gzip' ? gzipSync(content, { level: GZIP_LEVEL }) : brotliCompressSync(content, brotliOptions(content.length, BROTLI_IN_PLACE_QUALITY)));
    } catch (error) {
      return Promise.reject(error);
    }
  }
  if (coding === 'gzip') return gzipAsync(content, { level: GZIP_LEVEL });
  return brotliAsync(content, brotliOptions(content.length, BROTLI_QUALITY));
}
