// The baseline's data access on PostgreSQL, written for the benchmark and independent of src/: a pg
// pool on the gateway's database, named prepared statements, a plain COUNT(*) and LIMIT/OFFSET
// (the same SQL as bench/sessions-store.ts). The PostgreSQL REST baseline and GraphQL peers use it.
import { createHash } from 'node:crypto';
import pg from 'pg';
import type { Caller, PageQuery, SessionRow } from './session-view.js';

const COLUMNS = 'id, started_at, max_start_at, max_end_at, max_event_at, event_count, tool_invocations';

/** The pool's size: the gateway's default (TRENCHCOAT_PG_POOL_SIZE unset). */
export const PG_POOL_SIZE = 10;

// pg hands int8 (every column here, and count(*)) over as strings; all of them are safe doubles.
const INT8 = 20;
const types = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === INT8 ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

function where(start: boolean, end: boolean): string {
  let n = 1;
  return `account_id = $${n}${start ? ` and started_at >= $${++n}` : ''}${end ? ` and started_at <= $${++n}` : ''}`;
}

interface Shape {
  count: pg.QueryConfig;
  page: pg.QueryConfig;
}

export class PgSessionsStore {
  readonly pool: pg.Pool;
  // One prepared statement per filter shape: [none, start, end, both].
  readonly #shapes: Shape[] = [];

  constructor(url: string) {
    this.pool = new pg.Pool({ connectionString: url, max: PG_POOL_SIZE, types });
    this.pool.on('error', () => {});
    for (const [start, end] of [[false, false], [true, false], [false, true], [true, true]] as const) {
      const filters = 1 + (start ? 1 : 0) + (end ? 1 : 0);
      const suffix = `${start ? 's' : ''}${end ? 'e' : ''}`;
      this.#shapes.push({
        count: { name: `bench_count_${suffix}`, text: `select count(*) as n from sessions where ${where(start, end)}` },
        page: {
          name: `bench_page_${suffix}`,
          text: `select ${COLUMNS} from sessions where ${where(start, end)} order by started_at, id limit $${filters + 1} offset $${filters + 2}`,
        },
      });
    }
  }

  /** The caller for a presented key (SHA-256 lookup), or null. */
  async authenticate(key: string | undefined | null): Promise<Caller | null> {
    if (!key) return null;
    const result = await this.pool.query<{ account_id: number; scopes: string }>({
      name: 'bench_auth',
      text: `select k.account_id, k.scopes from api_keys k join accounts a on a.id = k.account_id
             where k.key_hash = $1 and k.revoked_at is null`,
      values: [createHash('sha256').update(key).digest('hex')],
    });
    const row = result.rows[0];
    return row ? { accountId: row.account_id, scopes: row.scopes.split(',') } : null;
  }

  #params(q: PageQuery): { shape: Shape; params: number[] } {
    const params = [q.accountId];
    if (q.startMs !== null) params.push(q.startMs);
    if (q.endMs !== null) params.push(q.endMs);
    return { shape: this.#shapes[(q.startMs !== null ? 1 : 0) + (q.endMs !== null ? 2 : 0)]!, params };
  }

  async count(q: PageQuery): Promise<number> {
    const { shape, params } = this.#params(q);
    const result = await this.pool.query<{ n: number }>({ ...shape.count, values: params });
    return result.rows[0]!.n;
  }

  async page(q: PageQuery): Promise<SessionRow[]> {
    const { shape, params } = this.#params(q);
    const result = await this.pool.query<SessionRow>({ ...shape.page, values: [...params, q.limit, q.offset] });
    return result.rows;
  }

  /** The total and the page, on two pooled connections at once. */
  countAndPage(q: PageQuery): Promise<[number, SessionRow[]]> {
    return Promise.all([this.count(q), this.page(q)]);
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}
