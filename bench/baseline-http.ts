// The REST baselines' HTTP side, shared by the SQLite one (bench/baseline-server.ts) and the
// PostgreSQL one (bench/baseline-server-pg.ts): routing, the key and scope check, the query
// parameters, and the gateway's exact response bytes. node:http only; no framework, no logging.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { parseInstant, toView, utc, type Caller, type SessionRow } from './session-view.js';

export interface Failure {
  status: number;
  code: string;
  message: string;
}

export function send(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

export function fail(res: ServerResponse, f: Failure): void {
  send(res, f.status, JSON.stringify({ error: { code: f.code, message: f.message } }));
}

export function flag(name: string): string {
  const i = process.argv.indexOf(name);
  const value = i >= 0 ? process.argv[i + 1] : undefined;
  if (!value) throw new Error(`baseline-server: ${name} is required`);
  return value;
}

/** GET /api/v1/sessions, or why not; the presented key and the query string. */
export function route(req: IncomingMessage): Failure | { key: string | null; search: string } {
  const target = req.url ?? '/';
  const q = target.indexOf('?');
  const path = q < 0 ? target : target.slice(0, q);
  if (path !== '/api/v1/sessions') return { status: 404, code: 'NOT_FOUND', message: `No route for ${path}.` };
  if (req.method !== 'GET') return { status: 405, code: 'METHOD_NOT_ALLOWED', message: 'GET only.' };
  const key = req.headers['x-api-key'];
  return { key: typeof key === 'string' ? key.trim() : null, search: q < 0 ? '' : target.slice(q + 1) };
}

export function denied(caller: Caller | null): Failure | null {
  if (!caller) return { status: 401, code: 'UNAUTHORIZED', message: 'Missing or invalid API key.' };
  if (!caller.scopes.includes('read:analytics')) {
    return { status: 403, code: 'FORBIDDEN', message: 'This API key does not have the required scope: read:analytics' };
  }
  return null;
}

export interface PageParams {
  limit: number;
  offset: number;
  startMs: number | null;
  endMs: number | null;
}

const DIGITS = /^[0-9]+$/;

export function pageParams(search: string): Failure | PageParams {
  const params = new URLSearchParams(search);
  const rawLimit = params.get('limit');
  const rawOffset = params.get('offset');
  const rawStart = params.get('start_date');
  const rawEnd = params.get('end_date');
  if ((rawLimit !== null && !DIGITS.test(rawLimit)) || (rawOffset !== null && !DIGITS.test(rawOffset))) {
    return { status: 400, code: 'VALIDATION_ERROR', message: 'limit and offset are non-negative integers.' };
  }
  const limit = Math.min(rawLimit === null ? 50 : Number(rawLimit), 200);
  const offset = rawOffset === null ? 0 : Number(rawOffset);
  const startMs = rawStart === null ? null : parseInstant(rawStart);
  const endMs = rawEnd === null ? null : parseInstant(rawEnd);
  if (limit < 1 || (rawStart !== null && startMs === null) || (rawEnd !== null && endMs === null)) {
    return { status: 400, code: 'VALIDATION_ERROR', message: 'Invalid parameter.' };
  }
  return { limit, offset, startMs, endMs };
}

export function isFailure<T extends object>(value: Failure | T): value is Failure {
  return 'status' in value;
}

/** The gateway's response body for a page of sessions. */
export function sessionsBody(total: number, rows: SessionRow[], limit: number, offset: number): string {
  const now = Date.now();
  const sessions = rows.map((row) => {
    const s = toView(row, now);
    return {
      id: s.id,
      started_at: utc(s.startedAt),
      ended_at: s.endedAt === null ? null : utc(s.endedAt),
      duration_ms: s.durationMs,
      event_count: s.eventCount,
      tool_invocations: s.toolInvocations,
    };
  });
  return JSON.stringify({ data: { sessions, total, limit, offset } });
}

/** Listens on 127.0.0.1:`--port`; SIGTERM/SIGINT close the server, then `close`, then exit. */
export function serve(handler: (req: IncomingMessage, res: ServerResponse) => void, close: () => unknown): Server {
  const server = createServer(handler);
  server.listen(Number(flag('--port')), '127.0.0.1');
  const stop = () => {
    server.close(() => {
      void Promise.resolve(close()).finally(() => process.exit(0));
    });
    server.closeAllConnections();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  return server;
}
