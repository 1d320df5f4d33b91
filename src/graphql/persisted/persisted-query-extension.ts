import { requestRefusal } from './request-refusal.js';

/**
 * The id in `extensions.persistedQuery` (Apollo's protocol: `{ version: 1, sha256Hash }`), or undefined when the
 * request has none. Any other shape is the client's mistake: 400 naming the field.
 */
export function persistedQueryId(extensions: unknown): string | undefined {
  if (extensions === null || typeof extensions !== 'object') return undefined;
  const persisted = (extensions as Record<string, unknown>)['persistedQuery'];
  if (persisted === undefined || persisted === null) return undefined;
  const { version, sha256Hash } = (typeof persisted === 'object' ? persisted : {}) as Record<string, unknown>;
  if (version !== 1 || typeof sha256Hash !== 'string' || sha256Hash === '') {
    throw requestRefusal('extensions.persistedQuery must be { "version": 1, "sha256Hash": "<the sha256 of the document, hex>" }.');
  }
  return sha256Hash;
}
