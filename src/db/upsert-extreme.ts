import { sql, type RawBuilder } from 'kysely';

/**
 * On an upsert, the stored or the arriving value of `column`, whichever is the smaller (`min`) or larger (`max`);
 * a null on either side yields the other. Spelled with CASE, so SQLite and PostgreSQL agree (their min/max and
 * least/greatest differ on nulls). Commutative, so rows merged this way do not depend on arrival order.
 */
export function upsertExtreme<T = number>(table: string, column: string, extreme: 'min' | 'max'): RawBuilder<T> {
  const mine = sql.ref(`${table}.${column}`);
  const theirs = sql.ref(`excluded.${column}`);
  const better = extreme === 'min' ? sql`${theirs} < ${mine}` : sql`${theirs} > ${mine}`;
  return sql<T>`case when ${theirs} is null then ${mine} when ${mine} is null or ${better} then ${theirs} else ${mine} end`;
}
