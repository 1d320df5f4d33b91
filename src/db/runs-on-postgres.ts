import { PostgresAdapter, type Kysely } from 'kysely';

/**
 * Whether `db` (or a transaction on it) talks to PostgreSQL: each statement is then a round trip to a server,
 * rather than a call within the process (SQLite), and rows can be bound as arrays.
 */
export function runsOnPostgres(db: Kysely<any>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}
