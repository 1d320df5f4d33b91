import { apiError, validationError } from '../errors/api-error.js';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b;
const OPEN_OBJECT = 0x7b;
const CLOSE_ARRAY = 0x5d;
const CLOSE_OBJECT = 0x7d;
const COMMA = 0x2c;
const COLON = 0x3a;

/** What one JSON body may hold, checked on its bytes before it is parsed. */
export interface JsonShapeLimits {
  /** Levels of arrays and objects (a scalar is 0, `[]` and `{}` are 1). */
  readonly maxDepth: number;
  /**
   * Structural marks (`{`, `[`, `,` and `:` outside strings), about one per value: what parsing a body, and
   * every step after it, costs in time is in proportion to them far more than to its bytes.
   */
  readonly maxValues: number;
}

type Excess = 'depth' | 'marks' | null;

/**
 * The first limit `body` passes, or null. One pass over the bytes, brackets inside strings skipped (UTF-8 never
 * uses an ASCII byte inside a multi-byte character), stopping at the first excess: refusing a body costs the bytes
 * read up to it. It does not check the rest of the syntax (JSON.parse does that next).
 */
function excessOf(body: Uint8Array, limits: JsonShapeLimits): Excess {
  const { maxDepth, maxValues } = limits;
  let depth = 0;
  let marks = 0;
  for (let i = 0; i < body.length; i++) {
    const byte = body[i]!;
    if (byte === QUOTE) {
      i = closingQuote(body, i + 1);
    } else if (byte === OPEN_ARRAY || byte === OPEN_OBJECT) {
      if (++depth > maxDepth) return 'depth';
      if (++marks > maxValues) return 'marks';
    } else if (byte === CLOSE_ARRAY || byte === CLOSE_OBJECT) {
      depth--;
    } else if (byte === COMMA || byte === COLON) {
      if (++marks > maxValues) return 'marks';
    }
  }
  return null;
}

/**
 * The index of the quote that ends the string whose text starts at `from` (the body's length when it never ends):
 * the next quote not escaped, that is not preceded by an odd run of backslashes. Found with indexOf (memchr),
 * since strings are most of an event batch's bytes.
 */
function closingQuote(body: Uint8Array, from: number): number {
  for (let at = body.indexOf(QUOTE, from); at >= 0; at = body.indexOf(QUOTE, at + 1)) {
    let backslashes = 0;
    while (at - backslashes - 1 >= from && body[at - backslashes - 1] === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return at;
  }
  return body.length;
}

/**
 * Refuses a JSON body before JSON.parse spends time on it, and before any code that walks the parsed value
 * recursively meets it: nested more than `maxDepth` levels deep (400 VALIDATION_ERROR), or holding more than
 * `maxValues` values (413 PAYLOAD_TOO_LARGE: the remedy is the same as for too many bytes, a smaller batch).
 */
export function assertJsonShape(body: Uint8Array, limits: JsonShapeLimits): void {
  const excess = excessOf(body, limits);
  if (excess === 'depth') {
    throw validationError(
      [{ field: 'body', message: `nests arrays and objects more than ${limits.maxDepth} levels deep` }],
      `The JSON body nests arrays and objects more than ${limits.maxDepth} levels deep (the limit for this request).`,
    );
  }
  if (excess === 'marks') {
    throw apiError(
      'PAYLOAD_TOO_LARGE',
      `The JSON body holds more than ${limits.maxValues} values (counted as the marks { [ , : outside strings), the limit for this request: send fewer events per request.`,
    );
  }
}
