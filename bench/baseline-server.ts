// The minimal baseline: node:http + better-sqlite3 over the gateway's own SQLite file (read-only),
// one hand-written handler for GET /api/v1/sessions producing the gateway's exact response bytes,
// with a plain COUNT and LIMIT/OFFSET (bench/sessions-store.ts). No framework, no logging.
// Run: node --import tsx bench/baseline-server.ts --db PATH --port N
import { createServer, type ServerResponse } from 'node:http';
import { parseInstant, SessionsStore, toView, utc } from './sessions-store.js';

function flag(name: string): string {
  const i = process.argv.indexOf(name);
  const value = i >= 0 ? process.argv[i + 1] : undefined;
  if (!value) throw new Error(`baseline-server: ${name} is required`);
  return value;
}

const store = new SessionsStore(flag('--db'));

function send(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function error(res: ServerResponse, status: number, code: string, message: string): void {
  send(res, status, JSON.stringify({ error: { code, message } }));
}

const DIGITS = /^[0-9]+$/;

const server = createServer((req, res) => {
  const target = req.url ?? '/';
  const q = target.indexOf('?');
  const path = q < 0 ? target : target.slice(0, q);
  if (path !== '/api/v1/sessions') return error(res, 404, 'NOT_FOUND', `No route for ${path}.`);
  if (req.method !== 'GET') return error(res, 405, 'METHOD_NOT_ALLOWED', 'GET only.');
  const key = req.headers['x-api-key'];
  const caller = store.authenticate(typeof key === 'string' ? key.trim() : null);
  if (!caller) return error(res, 401, 'UNAUTHORIZED', 'Missing or invalid API key.');
  if (!caller.scopes.includes('read:analytics')) {
    return error(res, 403, 'FORBIDDEN', 'This API key does not have the required scope: read:analytics');
  }
  const params = new URLSearchParams(q < 0 ? '' : target.slice(q + 1));
  const rawLimit = params.get('limit');
  const rawOffset = params.get('offset');
  const rawStart = params.get('start_date');
  const rawEnd = params.get('end_date');
  if ((rawLimit !== null && !DIGITS.test(rawLimit)) || (rawOffset !== null && !DIGITS.test(rawOffset))) {
    return error(res, 400, 'VALIDATION_ERROR', 'limit and offset are non-negative integers.');
  }
  const limit = Math.min(rawLimit === null ? 50 : Number(rawLimit), 200);
  const offset = rawOffset === null ? 0 : Number(rawOffset);
  const startMs = rawStart === null ? null : parseInstant(rawStart);
  const endMs = rawEnd === null ? null : parseInstant(rawEnd);
  if (limit < 1 || (rawStart !== null && startMs === null) || (rawEnd !== null && endMs === null)) {
    return error(res, 400, 'VALIDATION_ERROR', 'Invalid parameter.');
  }
  const query = { accountId: caller.accountId, startMs, endMs, limit, offset };
  const total = store.count(query);
  const rows = store.page(query);
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
  send(res, 200, JSON.stringify({ data: { sessions, total, limit, offset } }));
});

server.listen(Number(flag('--port')), '127.0.0.1');
const stop = () => {
  server.close(() => {
    store.close();
    process.exit(0);
  });
  server.closeAllConnections();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
