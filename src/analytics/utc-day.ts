import { sql, type RawBuilder } from 'kysely';

const DAY_MS = sql.lit(86_400_000);

/**
 * The UTC day number (days since 1970-01-01) of an epoch-milliseconds column, by floor division (right for
 * instants before 1970 too), in SQL that SQLite and PostgreSQL read alike: `%` keeps the sign of the dividend
 * in both, and integer division truncates in both.
 */
export function utcDayOf(column: string): RawBuilder<number> {
  const ms = sql.ref(column);
  return sql<number>`(${ms} - ((${ms} % ${DAY_MS}) + ${DAY_MS}) % ${DAY_MS}) / ${DAY_MS}`;
}
