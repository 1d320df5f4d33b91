import { sql, type RawBuilder } from 'kysely';

/** On an upsert, the stored value of `column` plus the arriving one: a count folded this way ignores arrival order. */
export function upsertSum(table: string, column: string): RawBuilder<number> {
  return sql<number>`${sql.ref(`${table}.${column}`)} + ${sql.ref(`excluded.${column}`)}`;
}
