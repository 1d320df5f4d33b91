import { createHash } from 'node:crypto';

/** Far more than the request path's reusable queries: texts past it run unnamed, so no connection prepares without end. */
export const MAX_NAMED_TEXTS = 1000;

const suffixes = new Map<string, string>();

/**
 * Marks a statement text as one the process runs again and again (a ReusableQuery's): on PostgreSQL each
 * connection then prepares it once under a name (see pg-kysely-pool.ts). Other texts stay unnamed.
 */
export function markReusable(text: string): void {
  if (suffixes.has(text) || suffixes.size >= MAX_NAMED_TEXTS) return;
  suffixes.set(text, createHash('sha256').update(text).digest('hex').slice(0, 24));
}

/** The marked text's part of a statement name (a hash of the text), or undefined for a text run unnamed. */
export function statementSuffix(text: string): string | undefined {
  return suffixes.get(text);
}
