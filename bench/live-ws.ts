// One GraphQL subscription over WebSocket (graphql-transport-ws), one socket per subscription as a
// browser tab holds it: connection_init with the key, then one subscribe. Each `next` payload is
// handed on as text with its receipt time.
import WebSocket from 'ws';
import { wallNow } from './live-protocol.js';
import { StreamRefused, type OpenStream, type StreamHandlers } from './live-sse.js';

const ID = '1';

export function openWs(baseUrl: string, key: string, query: string, variables: Record<string, unknown>, handlers: StreamHandlers): Promise<OpenStream> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws', { perMessageDeflate: false });
    let closing = false;
    let settled = false;
    const end = (reason: string) => {
      if (closing) return;
      closing = true;
      socket.terminate();
      if (settled) handlers.onEnd(reason);
      else {
        settled = true;
        reject(new StreamRefused(reason));
      }
    };
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { 'X-API-Key': key } })));
    socket.on('error', (error) => end(`WebSocket failed: ${error.message}`));
    socket.on('unexpected-response', (_req, res) => end(`WebSocket refused: HTTP ${res.statusCode}`));
    socket.on('close', (code, reason) => end(`WebSocket closed: ${code} ${reason.toString()}`));
    socket.on('message', (data) => {
      const at = wallNow();
      const text = data.toString();
      // Only the envelope is read here; the payload stays text, for the tracker's cheap look at it.
      const type = /"type":"([a-z_]+)"/.exec(text)?.[1];
      switch (type) {
        case 'next': {
          const start = text.indexOf('"payload":');
          handlers.onResult(start < 0 ? text : text.slice(start + 10, text.lastIndexOf('}')), at);
          break;
        }
        case 'connection_ack':
          socket.send(JSON.stringify({ id: ID, type: 'subscribe', payload: { query, variables } }));
          settled = true;
          resolve({
            close() {
              closing = true;
              socket.terminate();
            },
          });
          break;
        case 'ping':
          socket.send('{"type":"pong"}');
          break;
        case 'error':
          handlers.onResult(text, at);
          end('WebSocket: the operation failed');
          break;
        case 'complete':
          end('WebSocket: the server completed the operation');
          break;
      }
    });
  });
}
