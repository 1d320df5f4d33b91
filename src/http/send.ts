import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { acceptedCoding, type ContentCoding } from './accepted-coding.js';
import { COMPRESS_MIN_BYTES, encodeAnswer, isCompressibleType } from './encode-answer.js';
import { entityTag, ifNoneMatchHits, weakTag } from './entity-tag.js';
import { eventStreamOf } from './event-stream-response.js';
import { pipeBody } from './pipe-body.js';
import type { StreamGuard } from './stream-guard.js';
import { closesAfterAnswer, lingerBeforeClose } from './linger-close.js';
import { isStreamType } from './stream-media-types.js';
import { mergeVary } from './vary-header.js';
import { writeEventStream } from './write-event-stream.js';

type Headers = Record<string, string | string[]>;

const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * Sends a JSON body. The returned promise settles once the answer is written (after its encoding, when it is
 * encoded); anything wrong with the headers throws before then, synchronously.
 */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): Promise<void> {
  return sendRaw(res, status, JSON.stringify(body), headers);
}

/** A JSON body already serialized. */
export function sendRaw(res: ServerResponse, status: number, payload: string, headers: Record<string, string> = {}): Promise<void> {
  return sendBuffered(res, status, { ...headers, 'content-type': JSON_TYPE }, payload);
}

/** A body of any type; JSON is encoded as the client accepts, like every buffered answer. */
export function sendContent(
  res: ServerResponse,
  status: number,
  contentType: string,
  content: string | Buffer,
  headers: Record<string, string> = {},
): Promise<void> {
  return sendBuffered(res, status, { ...headers, 'content-type': contentType }, content);
}

/** The codings of a content computed ahead of time (a dashboard file's): only those may be sent. */
export type Precoded = Readonly<Partial<Record<ContentCoding, Buffer>>>;

/**
 * A 200 with content whose codings were computed ahead: sent in the coding the client prefers when it is among
 * them, else as it is; tagged, revalidated and closed like every buffered answer.
 */
export function sendPrecoded(res: ServerResponse, contentType: string, content: Buffer, precoded: Precoded, headers: Record<string, string>): Promise<void> {
  return sendBuffered(res, 200, { ...headers, 'content-type': contentType }, content, precoded);
}

function headerText(value: string | string[] | number | undefined): string | undefined {
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value.join(', ') : String(value);
}

/**
 * Writes a whole answer. On a GET or HEAD answered 200 it carries an ETag (unless it has its own or may not be
 * stored), and a matching If-None-Match makes it a 304 with the same headers: admission and the handler have
 * run by then, so a 304 never skips the rate limit nor a key check. JSON of COMPRESS_MIN_BYTES or more varies
 * on Accept-Encoding and is sent in the coding the client prefers; a 204 and a 304 never are, nor a HEAD unless
 * `precoded`. With `precoded`, only its codings are offered, whatever the size and type.
 */
function sendBuffered(res: ServerResponse, status: number, headers: Headers, content: string | Buffer, precoded?: Precoded): Promise<void> {
  const req = res.req;
  const method = req.method;
  const out: OutgoingHttpHeaders = { ...headers };
  const contentType = headerText(out['content-type']);
  const bytes = Buffer.byteLength(content);
  const alreadyEncoded = out['content-encoding'] !== undefined;
  const bodied = status >= 200 && status !== 204 && status !== 304;
  let coding: ContentCoding | null = null;
  const codable = precoded ? Object.keys(precoded).length > 0 : bytes >= COMPRESS_MIN_BYTES && isCompressibleType(contentType);
  if (bodied && !alreadyEncoded && codable) {
    // Merged with the CORS policy's Vary (Origin), which a Vary given here would otherwise replace.
    out['vary'] = mergeVary(res.getHeader('vary'), headerText(out['vary']), 'Accept-Encoding');
    // A HEAD answers with the GET's headers; only a coding already computed costs nothing to name.
    if (method !== 'HEAD' || precoded) coding = acceptedCoding(headerText(req.headers['accept-encoding']));
    if (coding && precoded && !precoded[coding]) coding = null;
  }
  const cacheControl = headerText(out['cache-control'] ?? res.getHeader('cache-control')) ?? '';
  if ((method === 'GET' || method === 'HEAD') && status === 200 && out['etag'] === undefined && !/\bno-store\b/i.test(cacheControl)) {
    const tag = entityTag(contentType ?? '', content);
    out['etag'] = coding ? weakTag(tag) : tag;
    if (ifNoneMatchHits(headerText(req.headers['if-none-match']), tag)) {
      // RFC 9110 §15.4.5: what the 200 would have said about caching (ETag, Vary, Cache-Control), without its content's metadata.
      delete out['content-type'];
      delete out['content-length'];
      delete out['content-encoding'];
      res.writeHead(304, out);
      res.end();
      return Promise.resolve();
    }
  }
  if (closesAfterAnswer(req)) {
    out['connection'] = 'close';
    // A socket already gone (the client left) has nothing to linger on.
    if (req.socket) lingerBeforeClose(req.socket);
  }
  const ready = coding ? precoded?.[coding] : undefined;
  if (!coding || ready) {
    if (ready) out['content-encoding'] = coding!;
    out['content-length'] = ready ? ready.length : bytes;
    res.writeHead(status, out);
    res.end(ready ?? content);
    return Promise.resolve();
  }
  return sendEncoded(res, status, out, typeof content === 'string' ? Buffer.from(content) : content, coding);
}

async function sendEncoded(res: ServerResponse, status: number, headers: OutgoingHttpHeaders, content: Buffer, coding: ContentCoding): Promise<void> {
  const encoded = await encodeAnswer(content, coding);
  // The client may have left while the answer was being encoded.
  if (res.destroyed) return;
  res.writeHead(status, { ...headers, 'content-encoding': coding, 'content-length': encoded.length });
  res.end(encoded);
}

/**
 * Writes a fetch Response (from Yoga) to a node response. A JSON answer is read whole (it was built under the
 * response budget) and sent like every other buffered answer: ETag, 304, encoding. Anything else streams with
 * backpressure; a stream (SSE, multipart) is held to `streams`' byte budget and write timeout, and never encoded.
 */
export async function sendFetchResponse(res: ServerResponse, response: Response, streams: StreamGuard): Promise<void> {
  const headers: Headers = {};
  response.headers.forEach((value, name) => {
    if (name.toLowerCase() === 'set-cookie') return;
    // Yoga's Headers may keep the case a name was set with.
    headers[name.toLowerCase()] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) headers['set-cookie'] = cookies;
  const contentType = response.headers.get('content-type');
  if (response.body && !isStreamType(contentType) && isCompressibleType(contentType)) {
    delete headers['content-length'];
    await sendBuffered(res, response.status, headers, Buffer.from(await response.arrayBuffer()));
    return;
  }
  res.writeHead(response.status, headers);
  const events = eventStreamOf(response);
  if (events) {
    await writeEventStream(res, events, streams);
    return;
  }
  if (!response.body) {
    res.end();
    return;
  }
  await pipeBody(res, response.body, isStreamType(contentType) ? streams : null);
}
