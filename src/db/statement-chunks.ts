import type { Kysely } from 'kysely';
import { runsOnPostgres } from './runs-on-postgres.js';

/**
 * Items per statement when a list goes into one statement as bound parameters (an IN list, multi-row VALUES):
 * 500 stays well under SQLite's 32,766 and PostgreSQL's 65,535 parameters, even at 18 columns a row.
 */
export const ITEMS_PER_STATEMENT = 500;

/** `items` in consecutive slices of at most ITEMS_PER_STATEMENT. */
export function statementChunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += ITEMS_PER_STATEMENT) out.push(items.slice(i, i + ITEMS_PER_STATEMENT));
  return out;
}

/** Rows for insertRows (pg-insert-rows.ts), a statement's worth each: all of them on PostgreSQL, which binds them as arrays. */
export function insertChunks<T>(db: Kysely<any>, rows: readonly T[]): (readonly T[])[] {
  if (!runsOnPostgres(db)) return statementChunks(rows);
  return rows.length > 0 ? [rows] : [];
}
