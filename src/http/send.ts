import type { ServerResponse } from 'node:http';
import { pipeBody } from './pipe-body.js';
import type { StreamGuard } from './stream-guard.js';
import { isStreamType } from './stream-media-types.js';

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  sendRaw(res, status, JSON.stringify(body), headers);
}

/** A JSON body already serialized. */
export function sendRaw(res: ServerResponse, status: number, payload: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(payload),
  });
  res.end(payload);
}

/** A body of any type, sent as it is. */
export function sendContent(
  res: ServerResponse,
  status: number,
  contentType: string,
  content: string | Buffer,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { ...headers, 'content-type': contentType, 'content-length': Buffer.byteLength(content) });
  res.end(content);
}

/**
 * Writes a fetch Response (from Yoga) to a node response, streaming its body with backpressure;
 * a stream (SSE, multipart) is held to `streams`' byte budget and write timeout.
 */
export async function sendFetchResponse(res: ServerResponse, response: Response, streams: StreamGuard): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    if (name === 'set-cookie') return;
    headers[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) headers['set-cookie'] = cookies;
  res.writeHead(response.status, headers);
  if (!response.body) {
    res.end();
    return;
  }
  await pipeBody(res, response.body, isStreamType(response.headers.get('content-type')) ? streams : null);
}
