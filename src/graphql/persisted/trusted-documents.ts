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
  return parseTrustedDocuments(readFileSync(path, 'utf8'), path);
}

/** A manifest's text, read already; `source` names it in the errors. */
export function parseTrustedDocuments(text: string, source: string): TrustedDocuments {
  const manifest: unknown = JSON.parse(text);
  if (manifest === null || typeof manifest !== 'object' || Array.isArray(manifest)) {
    throw new Error(`${source} must hold one JSON object of id → document text`);
  }
  const byId = new Map<string, string>();
  for (const [id, document] of Object.entries(manifest)) {
    if (id === '' || typeof document !== 'string' || document.trim() === '') {
      throw new Error(`${source}: the entry ${JSON.stringify(id)} must be a non-empty id with a document text`);
    }
    byId.set(id, document);
  }
  return trustedDocuments(byId);
}

function trustedDocuments(byId: ReadonlyMap<string, string>): TrustedDocuments {
  return { byId, texts: new Set(byId.values()) };
}

/**
 * The documents of both manifests (the deployment's and the dashboard's). An id both hold with different texts
 * keeps `first`'s and is listed in `conflicts`, for the caller to log.
 */
export function mergeTrustedDocuments(first: TrustedDocuments, second: TrustedDocuments): { documents: TrustedDocuments; conflicts: string[] } {
  const byId = new Map(first.byId);
  const conflicts: string[] = [];
  for (const [id, text] of second.byId) {
    const held = byId.get(id);
    if (held === undefined) byId.set(id, text);
    else if (held !== text) conflicts.push(id);
  }
  return { documents: trustedDocuments(byId), conflicts };
}
