import { sql, type Compilable, type InsertQueryBuilder, type InsertResult, type Kysely } from 'kysely';
import { ReusableQuery, type Param } from './reusable-query.js';
import { runsOnPostgres } from './runs-on-postgres.js';
import type { Tables } from './tables.js';

/** Element types of the arrays a row insert binds on PostgreSQL. */
export type PgArrayType = 'text' | 'bigint' | 'integer' | 'double precision';

/** Every column the rows carry, in statement order, with its PostgreSQL array element type. */
export type PgColumnTypes<Row> = { readonly [Column in keyof Row & string]-?: PgArrayType };

/** The insert with its rows in place, for the caller to complete (on conflict, returning). */
type Insert<Table extends keyof Tables> = InsertQueryBuilder<Tables, Table, InsertResult>;

/** Rows per SQLite statement at most: 512 rows of 18 columns bind 9,216 parameters, under SQLite's 32,766. */
const MAX_SQLITE_ROWS = 512;

/**
 * `insert into <table>` of a batch's rows, completed the same way every time (`complete` adds the conflict clause
 * and what it returns), built and compiled by Kysely once per statement shape rather than per batch: building a
 * thousand-row insert cost a tenth of ingestion's CPU.
 * - PostgreSQL: one statement whatever the number of rows, the rows bound as one array per column
 *   (`select * from unnest($1::text[], …)`), so it is also prepared once per connection (reusable-query.ts).
 * - SQLite: multi-row VALUES in slices of a power of two rows (512, 256, … 1): a batch of n rows runs as many
 *   statements as n has one bits, and each table has at most ten statement texts to compile and prepare.
 * The slices run in order, so rows keep the batch's order.
 */
export class RowInsert<Table extends keyof Tables & string, Row extends object, Out = unknown> {
  readonly #table: Table;
  readonly #columns: readonly (keyof Row & string)[];
  readonly #types: PgColumnTypes<Row>;
  readonly #complete: (insert: Insert<Table>) => Compilable<Out>;
  #postgres: ReusableQuery<Out> | undefined;
  readonly #sqlite = new Map<number, ReusableQuery<Out>>();

  constructor(table: Table, types: PgColumnTypes<Row>, complete: (insert: Insert<Table>) => Compilable<Out>) {
    this.#table = table;
    this.#types = types;
    this.#columns = Object.keys(types) as (keyof Row & string)[];
    this.#complete = complete;
  }

  /** Inserts `rows` (in the caller's transaction) and returns what the completed statement returns, in order. */
  async run(db: Kysely<Tables>, rows: readonly Row[]): Promise<Out[]> {
    if (rows.length === 0) return [];
    if (runsOnPostgres(db)) return this.#postgresQuery(db).run(db, this.#columns.map((c) => rows.map((row) => row[c] ?? null)));
    const out: Out[] = [];
    for (let start = 0; start < rows.length;) {
      const size = largestPowerOfTwo(Math.min(rows.length - start, MAX_SQLITE_ROWS));
      const args: unknown[] = [];
      for (let i = start; i < start + size; i++) for (const c of this.#columns) args.push(rows[i]![c] ?? null);
      out.push(...(await this.#sqliteQuery(db, size).run(db, args)));
      start += size;
    }
    return out;
  }

  #postgresQuery(db: Kysely<Tables>): ReusableQuery<Out> {
    return (this.#postgres ??= new ReusableQuery((p) => {
      const arrays = this.#columns.map((c, i) => sql`${p(i)}::${sql.raw(this.#types[c])}[]`);
      const unnest = sql`select * from unnest(${sql.join(arrays)}) as u(${sql.join(this.#columns.map((c) => sql.id(c)))})`;
      const columns = this.#columns as unknown as (keyof Tables[Table] & string)[];
      return this.#complete(db.insertInto(this.#table).columns(columns).expression(unnest as never));
    }));
  }

  #sqliteQuery(db: Kysely<Tables>, size: number): ReusableQuery<Out> {
    let query = this.#sqlite.get(size);
    if (!query) this.#sqlite.set(size, (query = new ReusableQuery((p) => this.#complete(db.insertInto(this.#table).values(this.#markerRows(p, size) as never)))));
    return query;
  }

  /** `size` rows whose every value stands for an argument: row r, column c is argument r × columns + c. */
  #markerRows(p: Param, size: number): Record<string, unknown>[] {
    const width = this.#columns.length;
    return Array.from({ length: size }, (_, r) => Object.fromEntries(this.#columns.map((c, i) => [c, p(r * width + i)])));
  }
}

function largestPowerOfTwo(n: number): number {
  return 2 ** Math.floor(Math.log2(n));
}
