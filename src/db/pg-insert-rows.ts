import { sql, type InsertQueryBuilder, type InsertResult, type Insertable, type Kysely, type RawBuilder } from 'kysely';
import { runsOnPostgres } from './runs-on-postgres.js';
import type { Tables } from './tables.js';

/** Element types of the arrays a row insert binds on PostgreSQL. */
export type PgArrayType = 'text' | 'bigint' | 'integer' | 'double precision';

/** Every column the rows carry, in statement order, with its PostgreSQL array element type. */
export type PgColumnTypes<Row> = { readonly [Column in keyof Row & string]-?: PgArrayType };

/**
 * `select * from unnest($1::text[], $2::bigint[], …) as u(c1, c2, …)`: the rows as one bound array per column. Whatever
 * the number of rows, the statement binds as many parameters as there are columns and keeps one text, so it needs no
 * chunking and PostgreSQL parses and plans the same short statement for every batch.
 */
export function unnestRows<Row>(rows: readonly Row[], types: PgColumnTypes<Row>): RawBuilder<Row> {
  const columns = Object.keys(types) as (keyof Row & string)[];
  const arrays = columns.map((column) => sql`${rows.map((row) => row[column] ?? null)}::${sql.raw(types[column])}[]`);
  return sql<Row>`select * from unnest(${sql.join(arrays)}) as u(${sql.join(columns.map((c) => sql.id(c)))})`;
}

/**
 * `insert into <table>` of `rows`, to be completed (on conflict, returning) and executed by the caller: on PostgreSQL
 * from bound arrays (unnestRows), elsewhere as multi-row VALUES (SQLite binds at most 32,766 parameters: statement-chunks.ts).
 */
export function insertRows<Table extends keyof Tables & string, Row extends Insertable<Tables[Table]>>(
  db: Kysely<Tables>, table: Table, rows: readonly Row[], types: PgColumnTypes<Row>,
): InsertQueryBuilder<Tables, Table, InsertResult> {
  const insert = db.insertInto(table);
  if (!runsOnPostgres(db)) return insert.values(rows as Row[]);
  const columns = Object.keys(types) as (keyof Tables[Table] & string)[];
  return insert.columns(columns).expression(unnestRows(rows, types) as RawBuilder<any>);
}
