// One GraphQL subscription over server-sent events, as GraphiQL and the dashboard send it: a JSON POST to
// /graphql that accepts text/event-stream. Each `next` event's data is handed on as text with its receipt time.
import { request } from 'node:http';
import { wallNow } from './live-protocol.js';

export interface StreamHandlers {
  /** The JSON text of one result ({"data":…} or {"errors":…}), and when its bytes arrived. */
  onResult(json: string, receivedAt: number): void;
  /** The stream ended (complete, closed, failed) before close() was called. */
  onEnd(reason: string): void;
}

export interface OpenStream {
  close(): void;
}

export class StreamRefused extends Error {}

export function openSse(baseUrl: string, key: string, query: string, variables: Record<string, unknown>, handlers: StreamHandlers): Promise<OpenStream> {
  const body = JSON.stringify({ query, variables });
  return new Promise((resolve, reject) => {
    let closing = false;
    let settled = false;
    const req = request(`${baseUrl}/graphql`, {
      method: 'POST',
      agent: false,
      headers: {
        'content-type': 'application/json',
        accept: 'text/event-stream',
        'x-api-key': key,
        'content-length': Buffer.byteLength(body),
      },
    });
    const end = (reason: string) => {
      if (closing) return;
      closing = true;
      if (settled) handlers.onEnd(reason);
      else {
        settled = true;
        reject(new StreamRefused(reason));
      }
    };
    req.on('error', (error) => end(`SSE failed: ${error.message}`));
    req.on('response', (res) => {
      if (res.statusCode !== 200 || !String(res.headers['content-type']).startsWith('text/event-stream')) {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => end(`SSE refused: HTTP ${res.statusCode} ${text.slice(0, 300)}`));
        return;
      }
      settled = true;
      resolve({
        close() {
          closing = true;
          req.destroy();
        },
      });
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        const at = wallNow();
        buffer += chunk;
        let split: number;
        while ((split = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, split);
          buffer = buffer.slice(split + 2);
          let event = 'message';
          let data = '';
          for (const line of block.split('\n')) {
            if (line.startsWith('event:')) event = line.slice(6).trim();
            else if (line.startsWith('data:')) data += line.slice(5).trimStart();
          }
          if (event === 'next') handlers.onResult(data, at);
          else if (event === 'complete') end('SSE: the server completed the stream');
        }
      });
      res.on('end', () => end('SSE: the server closed the stream'));
      res.on('error', (error) => end(`SSE failed: ${error.message}`));
    });
    req.end(body);
  });
}
