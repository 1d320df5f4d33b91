/**
 * Objects and arrays in a JSON text, counted as its `{` and `[` characters (those inside strings too:
 * an upper bound). Read, each takes about 37 bytes of memory whatever its text, so a text made of `[]`
 * takes 12 times its size: the response budget charges them (session.ts).
 */
export function countJsonContainers(text: string): number {
  let count = 0;
  for (const open of ['{', '[']) {
    for (let at = text.indexOf(open); at !== -1; at = text.indexOf(open, at + 1)) count++;
  }
  return count;
}
