import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { GraphQLError, type ExecutionArgs } from 'graphql';
import { CloseCode, GRAPHQL_TRANSPORT_WS_PROTOCOL, makeServer, type ConnectionInitMessage } from 'graphql-ws';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { KeyStore } from '../../auth/key-store.js';
import { ApiError } from '../../errors/api-error.js';
import { createAdmission, presentedKey, type AdmissionHeaders, type AdmissionRule, type AdmittedRequest, type ClientRequestLimiter, type Refusal, type RequestLimiter } from '../../http/admission.js';
import { createCorsPolicy, type CorsOrigins } from '../../http/cors-policy.js';
import { assertJsonShape, type JsonShapeLimits } from '../../http/json-shape.js';
import type { StreamGuard } from '../../http/stream-guard.js';
import type { Logger } from '../../log/logger.js';
import type { Principal } from '../../auth/principal.js';
import type { GatewayYoga } from '../yoga.js';
import { closeCodeFor, closeSocket } from './close-socket.js';
import { connectionKeyHeaders } from './connection-key-headers.js';
import { envelopedOperation, runEnveloped } from './enveloped-operation.js';
import { GuardedSender } from './guarded-sender.js';
import { startHeartbeat } from './heartbeat.js';
import { handshakeRefusal } from './handshake-refusal.js';
import { refuseUpgrade } from './refuse-upgrade.js';
import { wireError, wireResult } from '../wire-result.js';
import { outletSlotFor } from '../live-outlet.js';
import { NextMessageOutlet } from './next-message-outlet.js';

/** The one path sockets open on: GraphQL's own. */
export const GRAPHQL_WS_PATH = '/graphql';
/** Largest message a socket may send (ws closes the socket with 1009 past it, before buffering more). */
export const MAX_MESSAGE_BYTES = 64 * 1024;

export interface GraphQLWebSocketDeps {
  readonly yoga: GatewayYoga;
  readonly keys: KeyStore;
  readonly limiter: RequestLimiter;
  readonly clients: ClientRequestLimiter;
  readonly trustedProxies: number;
  readonly corsOrigins: CorsOrigins;
  /** The byte budget and write timeout every live stream is held to (SSE's too). */
  readonly streams: StreamGuard;
  readonly logger: Logger;
  /** The JSON shape a message may have on a socket with a key, and on one without (before connection_init too). */
  readonly json: JsonShapeLimits;
  readonly anonymousJson: JsonShapeLimits;
  /** Time from the handshake to connection_init (the socket closes with 4408 after). */
  readonly initTimeoutMs: number;
  /** How long a socket without a key stays open (closed with 1000 after; a reconnection is counted again). */
  readonly anonymousLifetimeMs: number;
  /** Operations one socket may run at once, subscriptions included. */
  readonly operationsPerSocket: number;
}

export interface GraphQLWebSocket {
  /** Open sockets. */
  readonly size: number;
  /** Refuses new sockets and closes the open ones (1001); those still open after `terminateAfterMs` are dropped. */
  close(terminateAfterMs: number): void;
}

/** What the gateway knows of one socket. */
interface SocketState {
  readonly socket: WebSocket;
  readonly handshake: IncomingMessage;
  readonly requestId: string;
  readonly sender: GuardedSender;
  /** The key headers from connection_init; null without a key. */
  keyHeaders: IncomingHttpHeaders | null;
  principal: Principal | null;
  operations: number;
  anonymousTimer: NodeJS.Timeout | undefined;
}

type Extra = { readonly state: SocketState };

const PER_CLIENT: AdmissionRule = { needs: 'perClient', shape: 'graphql' };
const API_KEY: AdmissionRule = { needs: 'apiKey', shape: 'graphql' };
/** A socket has no HTTP response to carry RateLimit headers. */
const NO_HEADERS: AdmissionHeaders = { setHeader: () => undefined };

/** The refusal admission answered, as the one error a socket sends for an operation. */
function refusalError(refusal: Refusal): GraphQLError {
  const [first] = (refusal.body as { errors: { message: string; extensions: Record<string, unknown> }[] }).errors;
  return new GraphQLError(first?.message ?? 'Refused.', { extensions: first?.extensions });
}

function refusalMessage(refusal: Refusal): string {
  return refusalError(refusal).message;
}

/**
 * GraphQL over WebSocket (the graphql-ws protocol) on the gateway's port at /graphql. The handshake is refused before
 * a socket opens when its origin is not allowed (CORS policy), its client is over the limit for callers without a
 * key, or it does not speak graphql-transport-ws. The key comes in connection_init's payload and is checked by the
 * same admission as HTTP; every operation is then admitted again (the key re-read, so a revoked key closes the
 * socket with 4403, and counted against its rate limit) and runs through Yoga's envelop with every limit plugin.
 */
export function attachGraphQLWebSocket(server: Server, deps: GraphQLWebSocketDeps): GraphQLWebSocket {
  const { logger } = deps;
  const admit = createAdmission({ keys: deps.keys, limiter: deps.limiter, clients: deps.clients, trustedProxies: deps.trustedProxies, logger });
  const cors = createCorsPolicy(deps.corsOrigins);
  const sockets = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_MESSAGE_BYTES,
    // Compression would let a small frame inflate into a large message, and costs memory per socket.
    perMessageDeflate: false,
    handleProtocols: (offered) => (offered.has(GRAPHQL_TRANSPORT_WS_PROTOCOL) ? GRAPHQL_TRANSPORT_WS_PROTOCOL : false),
  });
  let closing = false;

  /** The request admission reads for a socket's key: its key headers, its handshake's peer and forwarding. */
  function keyedRequest(state: SocketState): AdmittedRequest {
    const forwarded = state.handshake.headers['x-forwarded-for'];
    return { headers: { ...state.keyHeaders, ...(forwarded === undefined ? {} : { 'x-forwarded-for': forwarded }) }, socket: state.handshake.socket };
  }

  const graphqlWs = makeServer<ConnectionInitMessage['payload'], Extra>({
    connectionInitWaitTimeout: deps.initTimeoutMs,
    execute: runEnveloped('execute'),
    subscribe: runEnveloped('subscribe'),
    async onConnect(ctx) {
      const { state } = ctx.extra;
      let headers: IncomingHttpHeaders;
      try {
        headers = connectionKeyHeaders(ctx.connectionParams);
        if (presentedKey(headers) === null) {
          // What HTTP gives a caller without a key: anonymous operations, each counted per client; and not for long.
          state.anonymousTimer = setTimeout(
            () => closeSocket(state.socket, 1000, `A connection without a key closes after ${deps.anonymousLifetimeMs} ms.`),
            deps.anonymousLifetimeMs,
          );
          return true;
        }
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        closeSocket(state.socket, closeCodeFor(error.status), error.message);
        return false;
      }
      state.keyHeaders = headers;
      const admission = await admit(API_KEY, keyedRequest(state), NO_HEADERS, state.requestId);
      if (!admission.admitted) {
        closeSocket(state.socket, closeCodeFor(admission.refusal.status), refusalMessage(admission.refusal));
        return false;
      }
      state.principal = admission.principal;
      return true;
    },
    async onSubscribe(ctx, id, payload) {
      const { state } = ctx.extra;
      // The operation being subscribed is already listed.
      if (Object.keys(ctx.subscriptions).length > deps.operationsPerSocket) {
        return [new GraphQLError(`A connection may run ${deps.operationsPerSocket} operations at once; complete one first.`, { extensions: { code: 'RATE_LIMITED' } })];
      }
      const requestId = `${state.requestId}.${++state.operations}`;
      const admission = state.keyHeaders ? await admit(API_KEY, keyedRequest(state), NO_HEADERS, requestId) : await admit(PER_CLIENT, state.handshake, NO_HEADERS, requestId);
      if (!admission.admitted) {
        if (state.keyHeaders && admission.refusal.status === 401) closeSocket(state.socket, CloseCode.Forbidden, 'Forbidden: the API key of this connection was revoked.');
        return [refusalError(admission.refusal)];
      }
      const operation = await envelopedOperation(deps.yoga, { requestId, principal: admission.principal }, payload);
      if (!Array.isArray(operation)) outletSlotFor((operation as ExecutionArgs).contextValue as object).outlet = new NextMessageOutlet(state.sender, id);
      return operation;
    },
    onNext(ctx, _id, _payload, _args, result) {
      const { state } = ctx.extra;
      // A key's live stream ends UNAUTHENTICATED only when the key was revoked (src/live/session-feed.ts): that
      // message goes out, then the socket closes.
      if (state.keyHeaders && result.errors?.some((error) => error.extensions?.['code'] === 'UNAUTHENTICATED')) {
        setImmediate(() => closeSocket(state.socket, CloseCode.Forbidden, 'Forbidden: the API key of this connection was revoked.'));
      }
      return wireResult(result);
    },
    onError(_ctx, _id, _payload, errors) {
      return errors.map(wireError);
    },
  });

  function receive(state: SocketState, handle: (data: string) => Promise<void>, data: RawData, isBinary: boolean): void {
    if (isBinary) {
      closeSocket(state.socket, CloseCode.BadRequest, 'Messages are JSON text frames, not binary.');
      return;
    }
    const bytes = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
    const failed = (error: unknown) => {
      logger.error({ reqId: state.requestId, err: error }, 'GraphQL over WebSocket: a message failed');
      closeSocket(state.socket, CloseCode.InternalServerError, `Internal server error. Request id: ${state.requestId}.`);
    };
    try {
      assertJsonShape(bytes, state.principal ? deps.json : deps.anonymousJson);
    } catch (error) {
      if (error instanceof ApiError) closeSocket(state.socket, closeCodeFor(error.status), error.message);
      else failed(error);
      return;
    }
    handle(bytes.toString('utf8')).catch(failed);
  }

  function opened(socket: WebSocket, wire: Duplex, handshake: IncomingMessage, requestId: string): void {
    const sender = new GuardedSender(socket, wire, deps.streams, requestId);
    const state: SocketState = { socket, handshake, requestId, sender, keyHeaders: null, principal: null, operations: 0, anonymousTimer: undefined };
    const heartbeat = startHeartbeat(socket, deps.streams.writeTimeoutMs, () => sender.cut('timeout'));
    // ws reports a frame it refuses (too large, malformed) here, after closing with the matching code.
    socket.on('error', (error) => logger.debug({ reqId: requestId, err: error }, 'GraphQL over WebSocket: socket error'));
    const closed = graphqlWs.opened(
      {
        protocol: socket.protocol,
        send: (data) => sender.send(data),
        close: (code, reason) => closeSocket(socket, code ?? 1000, reason ?? ''),
        onMessage: (handle) => socket.on('message', (data, isBinary) => receive(state, handle, data, isBinary)),
      },
      { state },
    );
    const started = performance.now();
    socket.once('close', (code, reason) => {
      logger.info(
        { reqId: requestId, route: `ws ${GRAPHQL_WS_PATH}`, keyed: state.keyHeaders !== null, operations: state.operations, code, ms: Math.round(performance.now() - started) },
        'socket closed',
      );
      clearTimeout(state.anonymousTimer);
      heartbeat.stop();
      sender.stop();
      // Ends the socket's subscriptions at once: their slots are free for the next stream.
      closed(code, reason.toString()).catch((error: unknown) => logger.warn({ reqId: requestId, err: error }, 'GraphQL over WebSocket: closing failed'));
    });
  }

  async function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on('error', () => socket.destroy());
    const requestId = randomUUID();
    const refusal = handshakeRefusal(req, GRAPHQL_WS_PATH, cors, closing);
    if (refusal) return refuseUpgrade(socket, refusal);
    // Every handshake counts against its client's limit for callers without a key: the key comes only later.
    const admission = await admit(PER_CLIENT, req, NO_HEADERS, requestId);
    if (!admission.admitted) return refuseUpgrade(socket, admission.refusal);
    if (socket.destroyed) return;
    sockets.handleUpgrade(req, socket, head, (ws) => opened(ws, socket, req, requestId));
  }

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    upgrade(req, socket, head).catch((error: unknown) => {
      logger.error({ err: error }, 'GraphQL over WebSocket: handshake failed');
      socket.destroy();
    });
  });

  return {
    get size() {
      return sockets.clients.size;
    },
    close(terminateAfterMs) {
      closing = true;
      for (const socket of sockets.clients) closeSocket(socket, 1001, 'The server is shutting down.');
      setTimeout(() => {
        for (const socket of sockets.clients) socket.terminate();
      }, terminateAfterMs).unref();
    },
  };
}
