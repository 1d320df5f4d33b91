import type { CompiledQuery, Compilable, Kysely } from 'kysely';
import { markReusable } from './pg-statement-names.js';

/** Stands for the i-th argument while the query is built. */
export type Param = (index: number) => never;

/**
 * A query built and compiled once by Kysely (so its SQL is still the dialect's own), then run with
 * new arguments in the same places. Building and compiling cost more than running the small indexed
 * queries on the request path. `build` must use `p(i)` for every value that varies. On PostgreSQL each
 * connection prepares its text once, as a named statement (pg-kysely-pool.ts).
 */
export class ReusableQuery<Row> {
  readonly #compiled: CompiledQuery<Row>;
  /** For each compiled parameter: the argument index it comes from, or -1 for a constant. */
  readonly #slots: number[];

  constructor(build: (p: Param) => Compilable<Row>) {
    const markers = new Map<object, number>();
    const byIndex: object[] = [];
    const p: Param = (index) => {
      let marker = byIndex[index];
      if (!marker) markers.set((marker = byIndex[index] = { reusableQueryArgument: index }), index);
      return marker as never;
    };
    this.#compiled = build(p).compile();
    this.#slots = this.#compiled.parameters.map((value) => markers.get(value as object) ?? -1);
    markReusable(this.#compiled.sql);
  }

  execute(db: Kysely<any>, ...args: unknown[]): Promise<Row[]> {
    return this.run(db, args);
  }

  /** `execute` with the arguments as one array: a multi-row insert binds thousands. */
  async run(db: Kysely<any>, args: readonly unknown[]): Promise<Row[]> {
    const constants = this.#compiled.parameters;
    const parameters = this.#slots.map((slot, i) => (slot >= 0 ? args[slot] : constants[i]));
    const result = await db.executeQuery<Row>({ ...this.#compiled, parameters });
    return result.rows;
  }
}

const byDatabase = new WeakMap<object, Map<string, ReusableQuery<unknown>>>();

/** The ReusableQuery named `name` for this database, built on first use. */
export function reusable<Row>(db: Kysely<any>, name: string, build: (p: Param) => Compilable<Row>): ReusableQuery<Row> {
  let queries = byDatabase.get(db);
  if (!queries) byDatabase.set(db, (queries = new Map()));
  let query = queries.get(name) as ReusableQuery<Row> | undefined;
  if (!query) queries.set(name, (query = new ReusableQuery(build) as ReusableQuery<unknown> as never));
  return query as ReusableQuery<Row>;
}
