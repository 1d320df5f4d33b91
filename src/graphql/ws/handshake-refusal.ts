import type { IncomingMessage } from 'node:http';
import { GRAPHQL_TRANSPORT_WS_PROTOCOL } from 'graphql-ws';
import { apiError, validationError } from '../../errors/api-error.js';
import type { Refusal } from '../../http/admission.js';
import type { CorsPolicy } from '../../http/cors-policy.js';
import { refusalFor } from '../../http/refusal-for.js';
import { restError } from '../../rest/error-envelope.js';

const TRANSPORTS =
  'GraphQL over WebSocket speaks graphql-transport-ws (Sec-WebSocket-Protocol: graphql-transport-ws); the gateway also serves POST /graphql and GraphQL over SSE (Accept: text/event-stream).';

function offersSubprotocol(header: string | undefined): boolean {
  return (header ?? '').split(',').some((name) => name.trim() === GRAPHQL_TRANSPORT_WS_PROTOCOL);
}

/**
 * Why a WebSocket handshake on `path` is refused from its head alone, before anything is counted or read, or null:
 * another path (404), shutdown (503), not a WebSocket upgrade or not graphql-transport-ws (400, naming what is
 * served), a page of an origin the CORS policy does not allow (403).
 */
export function handshakeRefusal(req: IncomingMessage, path: string, cors: CorsPolicy, closing: boolean): Refusal | null {
  const url = (req.url ?? '').split('?')[0] ?? '';
  if (url !== path) return restError(404, 'NOT_FOUND', `No route for ${url}.`);
  if (closing) return refusalFor(apiError('UNAVAILABLE', 'The server is shutting down.'), 'graphql');
  if (req.headers.upgrade?.toLowerCase() !== 'websocket') {
    return refusalFor(validationError([{ field: 'Upgrade', message: 'must be websocket' }], TRANSPORTS), 'graphql');
  }
  if (!offersSubprotocol(req.headers['sec-websocket-protocol'])) {
    return refusalFor(validationError([{ field: 'Sec-WebSocket-Protocol', message: `must offer ${GRAPHQL_TRANSPORT_WS_PROTOCOL}` }], TRANSPORTS), 'graphql');
  }
  if (!cors.allows(req.headers.origin)) {
    return refusalFor(apiError('FORBIDDEN', `Pages of origin ${req.headers.origin} may not open a socket here (TRENCHCOAT_CORS_ORIGINS).`), 'graphql');
  }
  return null;
}
