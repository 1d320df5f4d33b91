// The baseline's data access, written for the benchmark and independent of src/: better-sqlite3 on
// the gateway's SQLite file (read-only, WAL), prepared statements, a plain COUNT and LIMIT/OFFSET.
// The REST baseline and the GraphQL peers (Apollo, Mercurius) all use exactly this SQL.
import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import type { Caller, PageQuery, SessionRow } from './session-view.js';

export { parseInstant, toView, utc, type Caller, type PageQuery, type SessionRow, type SessionView } from './session-view.js';

const COLUMNS = 'id, started_at, max_start_at, max_end_at, max_event_at, event_count, tool_invocations';

function where(start: boolean, end: boolean): string {
  return `account_id = ?${start ? ' and started_at >= ?' : ''}${end ? ' and started_at <= ?' : ''}`;
}

export class SessionsStore {
  readonly db: Database.Database;
  readonly #auth: Database.Statement;
  // One prepared statement per filter shape: [none, start, end, both].
  readonly #count: Database.Statement[] = [];
  readonly #page: Database.Statement[] = [];

  constructor(path: string) {
    this.db = new Database(path, { readonly: true, fileMustExist: true });
    // The same page cache as the gateway's connection (64 MiB); the file is already in WAL mode.
    this.db.pragma('cache_size = -65536');
    this.db.pragma('busy_timeout = 5000');
    this.#auth = this.db.prepare(
      `select k.account_id as accountId, k.scopes as scopes from api_keys k join accounts a on a.id = k.account_id
       where k.key_hash = ? and k.revoked_at is null`,
    );
    for (const [start, end] of [[false, false], [true, false], [false, true], [true, true]] as const) {
      this.#count.push(this.db.prepare(`select count(*) from sessions where ${where(start, end)}`).pluck());
      this.#page.push(this.db.prepare(`select ${COLUMNS} from sessions where ${where(start, end)} order by started_at, id limit ? offset ?`));
    }
  }

  /** The caller for a presented key (SHA-256 lookup), or null. */
  authenticate(key: string | undefined | null): Caller | null {
    if (!key) return null;
    const row = this.#auth.get(createHash('sha256').update(key).digest('hex')) as { accountId: number; scopes: string } | undefined;
    return row ? { accountId: row.accountId, scopes: row.scopes.split(',') } : null;
  }

  #params(q: PageQuery): { shape: number; params: number[] } {
    const params = [q.accountId];
    if (q.startMs !== null) params.push(q.startMs);
    if (q.endMs !== null) params.push(q.endMs);
    return { shape: (q.startMs !== null ? 1 : 0) + (q.endMs !== null ? 2 : 0), params };
  }

  count(q: PageQuery): number {
    const { shape, params } = this.#params(q);
    return this.#count[shape]!.get(...params) as number;
  }

  page(q: PageQuery): SessionRow[] {
    const { shape, params } = this.#params(q);
    return this.#page[shape]!.all(...params, q.limit, q.offset) as SessionRow[];
  }

  close(): void {
    this.db.close();
  }
}
