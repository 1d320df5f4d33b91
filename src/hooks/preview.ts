/**
 * The first `chars` characters (Unicode code points, so an emoji is one character and is never
 * split) of a text. Stops reading once it has enough: a megabyte of tool output costs no more
 * than its first characters.
 */
export function firstCodePoints(text: string, chars: number): string {
  if (chars <= 0) return '';
  // A string of at most `chars` UTF-16 units has at most `chars` code points.
  if (text.length <= chars) return text;
  let taken = 0;
  let end = 0;
  while (end < text.length && taken < chars) {
    const unit = text.charCodeAt(end);
    const pair = unit >= 0xd800 && unit <= 0xdbff && end + 1 < text.length;
    const next = pair ? text.charCodeAt(end + 1) : 0;
    end += pair && next >= 0xdc00 && next <= 0xdfff ? 2 : 1;
    taken += 1;
  }
  return text.slice(0, end);
}

/** A value as text: strings as they are, anything else as JSON. Undefined when there is nothing. */
function asText(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value);
  } catch {
    return undefined;
  }
}

/**
 * The preview kept of a sensitive value (prompt text, tool input, tool output, messages):
 * its first `chars` characters, or undefined when previews are off (`chars` 0) or there is no value.
 */
export function preview(value: unknown, chars: number): string | undefined {
  if (chars <= 0) return undefined;
  const text = asText(value);
  return text === undefined ? undefined : firstCodePoints(text, chars);
}
