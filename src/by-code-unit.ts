/**
 * Strings in UTF-16 code unit order (what `<` compares), for sorts that must come out the same in every process:
 * writers that lock rows in one sequence, answers ordered by name. Not locale order.
 */
export function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
