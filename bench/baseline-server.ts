// The minimal baseline: node:http + better-sqlite3 over the gateway's own SQLite file (read-only),
// one hand-written synchronous handler for GET /api/v1/sessions producing the gateway's exact
// response bytes, with a plain COUNT and LIMIT/OFFSET (bench/sessions-store.ts). No framework, no
// logging. On PostgreSQL: bench/baseline-server-pg.ts.
// Run: node --import tsx bench/baseline-server.ts --db PATH --port N
import { denied, fail, flag, isFailure, pageParams, route, send, serve, sessionsBody } from './baseline-http.js';
import { SessionsStore } from './sessions-store.js';

const store = new SessionsStore(flag('--db'));

serve((req, res) => {
  const r = route(req);
  if (isFailure(r)) return fail(res, r);
  const caller = store.authenticate(r.key);
  const refused = denied(caller);
  if (refused) return fail(res, refused);
  const p = pageParams(r.search);
  if (isFailure(p)) return fail(res, p);
  const query = { accountId: caller!.accountId, ...p };
  const total = store.count(query);
  const rows = store.page(query);
  send(res, 200, sessionsBody(total, rows, p.limit, p.offset));
}, () => store.close());
