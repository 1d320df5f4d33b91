import type { Database as SqliteConnection, Statement } from 'better-sqlite3';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

const DEFAULT_CAPACITY = 256;

/**
 * better-sqlite3 behind Kysely, with prepared statements kept by SQL text (least recently used
 * dropped first). Kysely's SQLite driver prepares every query anew; preparing costs more than
 * running the small indexed queries the gateway makes on each request. Safe because Kysely runs one
 * query at a time on the single connection. `wrap` turns a newly prepared statement into what Kysely gets
 * (ObjectRowStatement.wrap). It is passed in, not imported: the read worker loads this file as TypeScript,
 * where a sibling's `.js` specifier does not resolve.
 */
export class StatementCache implements SqliteDatabase {
  readonly #connection: SqliteConnection;
  readonly #wrap: (statement: Statement) => SqliteStatement;
  readonly #capacity: number;
  readonly #statements = new Map<string, SqliteStatement>();

  constructor(connection: SqliteConnection, wrap: (statement: Statement) => SqliteStatement, capacity = DEFAULT_CAPACITY) {
    this.#connection = connection;
    this.#wrap = wrap;
    this.#capacity = capacity;
  }

  prepare(sql: string): SqliteStatement {
    let statement = this.#statements.get(sql);
    if (statement) {
      this.#statements.delete(sql);
    } else {
      statement = this.#wrap(this.#connection.prepare(sql));
      if (this.#statements.size >= this.#capacity) {
        this.#statements.delete(this.#statements.keys().next().value as string);
      }
    }
    this.#statements.set(sql, statement);
    return statement;
  }

  close(): void {
    this.#statements.clear();
    this.#connection.close();
  }
}
