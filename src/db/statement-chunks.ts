/**
 * Items per statement when a list goes into one statement as bound parameters (an IN list):
 * 500 stays well under SQLite's 32,766 and PostgreSQL's 65,535 parameters.
 */
export const ITEMS_PER_STATEMENT = 500;

/** `items` in consecutive slices of at most ITEMS_PER_STATEMENT. */
export function statementChunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += ITEMS_PER_STATEMENT) out.push(items.slice(i, i + ITEMS_PER_STATEMENT));
  return out;
}
