import { randomBytes } from 'node:crypto';
import type { PostgresCursor, PostgresPool, PostgresPoolClient, PostgresQueryResult } from 'kysely';
import type pg from 'pg';
import { statementSuffix } from './pg-statement-names.js';

// Unique to this process: a server that is one backend behind many sockets (PGlite behind its socket server)
// shares prepared statements between connections and keeps them after one closes, so two connections must
// never pick the same name.
const PROCESS_TAG = randomBytes(4).toString('hex');
let clients = 0;

type QueryCallback<R> = (error: Error | null, result: PostgresQueryResult<R>) => void;
type CallbackClient = { query<R>(config: pg.QueryConfig, callback: QueryCallback<R>): void };

/** Where a process's statements run on PostgreSQL. */
export interface PgPools {
  /** Writes, transactions, analytics: every statement but the named ones below, each planned for its own values. */
  readonly main: pg.Pool;
  /**
   * The named statements run outside a transaction (the request path's indexed reads), on connections that reuse one
   * generic plan per statement (`plan_cache_mode = force_generic_plan`); null: they run on `main` too.
   */
  readonly named: pg.Pool | null;
}

interface Lanes {
  readonly pools: PgPools;
  /** Texts marked reusable run as named prepared statements. */
  readonly namedStatements: boolean;
  /** Each pg connection's statement-name prefix. */
  readonly prefixes: WeakMap<pg.PoolClient, string>;
}

/**
 * One connection as Kysely sees it, taken from a pool at its first statement: from `named` when that statement is a
 * named one, else from `main`. A transaction's statements all follow its `begin` on `main`. With named statements on,
 * texts marked reusable (pg-statement-names.ts) run as named prepared statements, so the server parses them once per
 * connection instead of once per run.
 *
 * Why two pools: PostgreSQL plans a named statement anew at each run as long as a plan for the run's values looks
 * cheaper than one generic plan, which it does for the page-and-total statements (their empty ranges). Measured
 * 2026-12-07 (AMD EPYC, 1M sessions, pgbench, 2 clients): the REST one-day statement at 7,988 runs/s so, 14,851/s with
 * its generic plan (planning took 0.15 ms of its 0.25). Analytics over long ranges need plans for their values (the
 * tools statement over a year: 1.4 s with them, 10.2 s with a generic plan), so the setting stays on these connections.
 *
 * Every statement goes to pg with a callback, never through the promise pg returns without one: each result
 * pg hands to that promise outlives the young generation's collections and is promoted. Measured 2026-12-07
 * (AMD EPYC, a loop of 10 concurrent 50-row reads for 5 s): about 130 MB promoted and 6 full collections that way,
 * 1 MB and none with a callback. The gateway's REST one day on PostgreSQL promoted 573 MB in 8 s, now 0.3 MB.
 */
class PgKyselyClient implements PostgresPoolClient {
  readonly #lanes: Lanes;
  readonly #onRelease: (client: PgKyselyClient) => void;
  #client: pg.PoolClient | null = null;
  /** The connection being taken, so that a statement sent meanwhile runs on it too. */
  #taking: Promise<pg.PoolClient> | null = null;

  constructor(lanes: Lanes, onRelease: (client: PgKyselyClient) => void) {
    this.#lanes = lanes;
    this.#onRelease = onRelease;
  }

  query<R>(sql: string, parameters: ReadonlyArray<unknown>): Promise<PostgresQueryResult<R>>;
  query<R>(cursor: PostgresCursor<R>): PostgresCursor<R>;
  query<R>(sqlOrCursor: string | PostgresCursor<R>, parameters?: ReadonlyArray<unknown>): Promise<PostgresQueryResult<R>> | PostgresCursor<R> {
    // Kysely streams only with a cursor in the dialect's config, which this gateway never sets.
    if (typeof sqlOrCursor !== 'string') throw new Error('streaming results is not configured');
    const { pools, namedStatements } = this.#lanes;
    const suffix = namedStatements ? statementSuffix(sqlOrCursor) : undefined;
    if (this.#client) return this.#run(this.#client, sqlOrCursor, parameters, suffix);
    this.#taking ??= this.#take(suffix === undefined ? pools.main : (pools.named ?? pools.main));
    return this.#taking.then((client) => this.#run<R>(client, sqlOrCursor, parameters, suffix));
  }

  async #take(pool: pg.Pool): Promise<pg.PoolClient> {
    try {
      return (this.#client = await pool.connect());
    } finally {
      this.#taking = null;
    }
  }

  #run<R>(client: pg.PoolClient, text: string, parameters: ReadonlyArray<unknown> | undefined, suffix: string | undefined): Promise<PostgresQueryResult<R>> {
    const config: pg.QueryConfig = { text, values: parameters as unknown[] };
    if (suffix !== undefined) config.name = this.#prefix(client) + suffix;
    const callbackClient = client as unknown as CallbackClient;
    return new Promise((resolve, reject) => callbackClient.query<R>(config, (error, result) => (error ? reject(error) : resolve(result))));
  }

  #prefix(client: pg.PoolClient): string {
    const { prefixes } = this.#lanes;
    let prefix = prefixes.get(client);
    if (prefix === undefined) prefixes.set(client, (prefix = `tc${PROCESS_TAG}_${(clients++).toString(36)}_`));
    return prefix;
  }

  release(destroy?: boolean): void {
    const client = this.#client;
    this.#client = null;
    client?.release(destroy);
    // Kysely keeps its connection object per client object, marked for good once discarded: a discarded one is not reused.
    if (!destroy) this.#onRelease(this);
  }
}

/** Kysely's pool for its PostgresDialect over `pools`, its connections as PgKyselyClient describes. */
export function pgKyselyPool(pools: PgPools, options: { namedStatements: boolean }): PostgresPool {
  const lanes: Lanes = { pools, namedStatements: options.namedStatements, prefixes: new WeakMap() };
  const idle: PgKyselyClient[] = [];
  const onRelease = (client: PgKyselyClient) => void idle.push(client);
  return {
    connect: async () => idle.pop() ?? new PgKyselyClient(lanes, onRelease),
    end: async () => {
      await Promise.all([pools.main.end(), pools.named?.end()]);
    },
  };
}
