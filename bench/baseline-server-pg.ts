// The minimal baseline on PostgreSQL: node:http + pg over the gateway's own database, one
// hand-written handler for GET /api/v1/sessions producing the gateway's exact response bytes, with
// a plain COUNT(*) and LIMIT/OFFSET (bench/sessions-store-pg.ts). No framework, no logging.
// Run: node --import tsx bench/baseline-server-pg.ts --db postgres://… --port N
import { denied, fail, flag, isFailure, pageParams, route, send, serve, sessionsBody } from './baseline-http.js';
import { PgSessionsStore } from './sessions-store-pg.js';

const store = new PgSessionsStore(flag('--db'));

serve((req, res) => {
  const r = route(req);
  if (isFailure(r)) return fail(res, r);
  void (async () => {
    const caller = await store.authenticate(r.key);
    const refused = denied(caller);
    if (refused) return fail(res, refused);
    const p = pageParams(r.search);
    if (isFailure(p)) return fail(res, p);
    const [total, rows] = await store.countAndPage({ accountId: caller!.accountId, ...p });
    send(res, 200, sessionsBody(total, rows, p.limit, p.offset));
  })().catch((error: unknown) => {
    fail(res, { status: 500, code: 'INTERNAL_ERROR', message: error instanceof Error ? error.message : String(error) });
  });
}, () => store.close());
