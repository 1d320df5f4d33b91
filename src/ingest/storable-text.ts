/**
 * True when both engines store `text` as it is and give the same text back: PostgreSQL's text
 * cannot hold U+0000 (the statement fails), and a lone surrogate has no UTF-8 form (both drivers
 * write U+FFFD instead, so the stored value no longer matches the one the gateway compared).
 */
export function isStorableText(text: string): boolean {
  return !/\u0000|\p{Cs}/u.test(text);
}
