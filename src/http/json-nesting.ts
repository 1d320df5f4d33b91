import { validationError } from '../errors/api-error.js';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b;
const OPEN_OBJECT = 0x7b;
const CLOSE_ARRAY = 0x5d;
const CLOSE_OBJECT = 0x7d;

/**
 * Where `body` first opens an array or object more than `maxDepth` levels deep, or -1. One pass over the
 * bytes, brackets inside strings skipped (UTF-8 never uses an ASCII byte inside a multi-byte character),
 * stopping at the first level too many: the cost of refusing a body is the bytes read up to its excess.
 * It does not check the rest of the syntax (JSON.parse does that next).
 */
function excessAt(body: Uint8Array, maxDepth: number): number {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const byte = body[i]!;
    if (inString) {
      if (byte === BACKSLASH) i++;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) {
      inString = true;
    } else if (byte === OPEN_ARRAY || byte === OPEN_OBJECT) {
      if (++depth > maxDepth) return i;
    } else if (byte === CLOSE_ARRAY || byte === CLOSE_OBJECT) {
      depth--;
    }
  }
  return -1;
}

/**
 * Refuses, with a VALIDATION_ERROR naming the limit, a JSON body that nests arrays and objects more than
 * `maxDepth` levels deep (a scalar is 0 levels, `[]` and `{}` are 1), before JSON.parse spends time on it and
 * before any code that walks the parsed value recursively meets it.
 */
export function assertJsonNesting(body: Uint8Array, maxDepth: number): void {
  if (excessAt(body, maxDepth) < 0) return;
  throw validationError(
    [{ field: 'body', message: `nests arrays and objects more than ${maxDepth} levels deep` }],
    `The JSON body nests arrays and objects more than ${maxDepth} levels deep (the limit for this request).`,
  );
}
