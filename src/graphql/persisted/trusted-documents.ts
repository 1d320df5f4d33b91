import { readFileSync } from 'node:fs';

/** The documents a manifest allows, by id, and the same texts for a request that sends one whole. */
export interface TrustedDocuments {
  readonly byId: ReadonlyMap<string, string>;
  readonly texts: ReadonlySet<string>;
}

/**
 * Reads a manifest: one JSON object of id → document text, the shape GraphQL Codegen's client preset writes
 * (`persistedDocuments`: `{ "<sha256 of the text>": "<text>" }`); any other ids are fine too. Throws an Error
 * naming what is wrong (the file, or the first entry that is not a document).
 */
export function readTrustedDocuments(path: string): TrustedDocuments {
  const manifest: unknown = JSON.parse(readFileSync(path, 'utf8'));
  if (manifest === null || typeof manifest !== 'object' || Array.isArray(manifest)) {
    throw new Error(`${path} must hold one JSON object of id → document text`);
  }
  const byId = new Map<string, string>();
  for (const [id, text] of Object.entries(manifest)) {
    if (id === '' || typeof text !== 'string' || text.trim() === '') {
      throw new Error(`${path}: the entry ${JSON.stringify(id)} must be a non-empty id with a document text`);
    }
    byId.set(id, text);
  }
  return { byId, texts: new Set(byId.values()) };
}
