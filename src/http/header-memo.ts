import { memoized } from '../bounded-memo.js';

/** Header values remembered per memo; all are dropped together when it is full. */
const MAX_ENTRIES = 64;
/** Longer values are read afresh every time: a client that sends huge headers gets no room here. */
const MAX_VALUE_LENGTH = 256;

/**
 * Remembers what a pure reading of a header value gave: clients send the same Accept and Accept-Encoding on every
 * request, and splitting and weighing them again cost several microseconds each time. Bounded in entries and in
 * the length of the values kept, so no client can grow it.
 */
export function memoizeHeader<T>(read: (value: string) => T): (value: string) => T {
  const known = new Map<string, T>();
  return (value) => (value.length > MAX_VALUE_LENGTH ? read(value) : memoized(known, value, MAX_ENTRIES, () => read(value)));
}
