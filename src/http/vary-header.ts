type HeaderValue = string | number | readonly string[] | undefined;

/**
 * One Vary naming every field in `values` once (case-insensitively, in first-seen order): a route's own Vary and
 * the CORS policy's (Origin) are kept when Accept-Encoding joins them. `*` stands alone.
 */
export function mergeVary(...values: HeaderValue[]): string {
  const names: string[] = [];
  const seen = new Set<string>();
  for (const value of values) {
    if (value === undefined) continue;
    const text = typeof value === 'string' || typeof value === 'number' ? String(value) : value.join(',');
    for (const raw of text.split(',')) {
      const name = raw.trim();
      if (name === '*') return '*';
      if (name === '' || seen.has(name.toLowerCase())) continue;
      seen.add(name.toLowerCase());
      names.push(name);
    }
  }
  return names.join(', ');
}
