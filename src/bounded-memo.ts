/**
 * What `map` holds for `key`, computed and kept when absent. A full map is emptied before the new value goes in,
 * so it never holds more than `maxEntries`: for memos whose keys a client may choose, where an LRU's bookkeeping
 * would cost more than recomputing the few values that are in use.
 */
export function memoized<K, V>(map: Map<K, V>, key: K, maxEntries: number, compute: () => V): V {
  if (map.has(key)) return map.get(key) as V;
  const value = compute();
  if (map.size >= maxEntries) map.clear();
  map.set(key, value);
  return value;
}
