/** Thrown inside canonicalJsonWithin when the value nests deeper than allowed. */
const TOO_DEEP = Symbol('too deep');

/**
 * JSON with object keys sorted at every depth, so equal data has one spelling; null when `value` nests objects
 * and arrays more than `maxDepth` levels (`value` itself is level 1), found in the same walk, which never goes
 * deeper than that. Plain objects and arrays are written here, which spares copying every object into a sorted
 * one for JSON.stringify to walk again; anything else (a Date, an object with toJSON) is left to JSON.stringify
 * on a sorted copy, as are primitives, so the text is the one `JSON.stringify(sorted copy)` gives.
 */
export function canonicalJsonWithin(value: object, maxDepth: number): string | null {
  try {
    // An object always has a text (undefined is only for what an object skips).
    return canonicalText(value, 1, maxDepth) as string;
  } catch (error) {
    if (error === TOO_DEEP) return null;
    throw error;
  }
}

/** An array or object JSON.stringify would write as its members: its own kind's prototype (or none), no toJSON. */
function isPlain(value: object): boolean {
  const prototype = Object.getPrototypeOf(value);
  const ordinary = Array.isArray(value) ? prototype === Array.prototype : prototype === Object.prototype || prototype === null;
  return ordinary && typeof (value as { toJSON?: unknown }).toJSON !== 'function';
}

/** The text of `value` at `depth`, or undefined where JSON.stringify writes nothing (undefined, a function, a symbol). */
function canonicalText(value: unknown, depth: number, maxDepth: number): string | undefined {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (depth > maxDepth) throw TOO_DEEP;
  if (!isPlain(value)) return JSON.stringify(sortedCopy(value, depth, maxDepth));
  if (Array.isArray(value)) {
    let text = '[';
    for (let i = 0; i < value.length; i++) text += `${i === 0 ? '' : ','}${canonicalText(value[i], depth + 1, maxDepth) ?? 'null'}`;
    return `${text}]`;
  }
  let text = '{';
  for (const key of sortedKeys(value)) {
    const member = canonicalText((value as Record<string, unknown>)[key], depth + 1, maxDepth);
    if (member === undefined) continue;
    text += `${text.length === 1 ? '' : ','}${JSON.stringify(key)}:${member}`;
  }
  return `${text}}`;
}

/** An array index (`0` to `4294967294`, no leading zero): enumerated before other keys, in numeric order. */
function isArrayIndex(key: string): boolean {
  const first = key.charCodeAt(0);
  if (first < 48 || first > 57 || (first === 48 && key.length > 1) || key.length > 10) return false;
  for (let i = 1; i < key.length; i++) {
    const code = key.charCodeAt(i);
    if (code < 48 || code > 57) return false;
  }
  return Number(key) < 4_294_967_295;
}

/**
 * The keys in the order JSON.stringify writes a copy made by inserting them sorted: array indices first in numeric
 * order (objects always enumerate them so, whatever the insertion order), then the others sorted.
 */
function sortedKeys(value: object): string[] {
  const keys = Object.keys(value);
  let names = 0;
  while (names < keys.length && isArrayIndex(keys[names]!)) names++;
  return names === 0 ? keys.sort() : [...keys.slice(0, names), ...keys.slice(names).sort()];
}

/** A copy with keys sorted at every depth, for JSON.stringify (objects that are not plain, and what they hold). */
function sortedCopy(value: unknown, depth: number, maxDepth: number): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (depth > maxDepth) throw TOO_DEEP;
  if (Array.isArray(value)) return value.map((item) => sortedCopy(item, depth + 1, maxDepth));
  // No prototype: a `__proto__` key in client data must stay an ordinary key, not set a prototype.
  const sorted: Record<string, unknown> = Object.create(null);
  for (const key of sortedKeys(value)) sorted[key] = sortedCopy((value as Record<string, unknown>)[key], depth + 1, maxDepth);
  return sorted;
}
