import { randomBytes } from 'node:crypto';
import type { PostgresCursor, PostgresPool, PostgresPoolClient, PostgresQueryResult } from 'kysely';
import type pg from 'pg';
import { statementSuffix } from './pg-statement-names.js';

// Unique to this process: a server that is one backend behind many sockets (PGlite behind its socket server)
// shares prepared statements between connections and keeps them after one closes, so two connections must
// never pick the same name.
const PROCESS_TAG = randomBytes(4).toString('hex');
let clients = 0;

/**
 * One pooled connection as Kysely sees it: texts marked reusable (pg-statement-names.ts) run as named
 * prepared statements, so the server parses and plans them once per connection instead of once per run.
 */
class NamingClient implements PostgresPoolClient {
  readonly #client: pg.PoolClient;
  readonly #prefix = `tc${PROCESS_TAG}_${(clients++).toString(36)}_`;

  constructor(client: pg.PoolClient) {
    this.#client = client;
  }

  query<R>(sql: string, parameters: ReadonlyArray<unknown>): Promise<PostgresQueryResult<R>>;
  query<R>(cursor: PostgresCursor<R>): PostgresCursor<R>;
  query<R>(sqlOrCursor: string | PostgresCursor<R>, parameters?: ReadonlyArray<unknown>): Promise<PostgresQueryResult<R>> | PostgresCursor<R> {
    const client = this.#client as unknown as { query(config: unknown, values?: unknown): never };
    if (typeof sqlOrCursor !== 'string') return client.query(sqlOrCursor);
    const suffix = statementSuffix(sqlOrCursor);
    const values = parameters as unknown[];
    return suffix === undefined ? client.query(sqlOrCursor, values) : client.query({ name: this.#prefix + suffix, text: sqlOrCursor, values });
  }

  release(destroy?: boolean): void {
    this.#client.release(destroy);
  }
}

/** pg's pool for Kysely's PostgresDialect, its connections naming the reusable statements (see NamingClient). */
export function namingPool(pool: pg.Pool): PostgresPool {
  // Kysely keeps its connection object per client it is handed: hand the same one for each pg client.
  const named = new WeakMap<pg.PoolClient, NamingClient>();
  return {
    async connect() {
      const client = await pool.connect();
      let wrapper = named.get(client);
      if (!wrapper) named.set(client, (wrapper = new NamingClient(client)));
      return wrapper;
    },
    end: () => pool.end(),
  };
}
