import type { IncomingHttpHeaders } from 'node:http';

/** A header as one string (repeated headers joined as Node's fetch does), or null when absent. */
function joined(value: string | string[] | undefined): string | null {
  if (value === undefined) return null;
  return Array.isArray(value) ? value.join(', ') : value;
}

/** Node's request headers behind the `get(name)` shape that auth and Yoga's context read. */
export function headerGetter(headers: IncomingHttpHeaders): { get(name: string): string | null } {
  return { get: (name) => joined(headers[name.toLowerCase()]) };
}

/** Node's request headers as fetch `HeadersInit` entries. */
export function headerEntries(headers: IncomingHttpHeaders): [string, string][] {
  return Object.entries(headers).flatMap(([name, value]) => {
    const text = joined(value);
    return text === null ? [] : [[name, text] as [string, string]];
  });
}
