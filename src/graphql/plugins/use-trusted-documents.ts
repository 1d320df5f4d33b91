import type { Source } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Principal } from '../../auth/principal.js';
import { persistedQueryId } from '../persisted/persisted-query-extension.js';
import type { TrustedDocuments } from '../persisted/trusted-documents.js';
import { requestRefusal } from '../persisted/request-refusal.js';

export interface TrustedDocumentOptions {
  documents: TrustedDocuments;
  /** Requests with a key run only these documents (TRENCHCOAT_TRUSTED_DOCUMENTS_ONLY). */
  only: boolean;
}

const ONLY_TRUSTED = 'This API key may run only trusted documents: send the id of one (extensions.persistedQuery.sha256Hash or documentId).';

const untrusted = (message: string) => requestRefusal(message, 'UNTRUSTED_DOCUMENT');

function principalOf(context: unknown): Principal | null {
  return (context as { principal?: Principal | null } | null)?.principal ?? null;
}

/** `documentId` from a POST body, or from a GET's query string (Yoga's GET parser keeps only the standard four). */
function documentIdOf(params: Record<string, unknown>, request: Request): unknown {
  if (params['documentId'] !== undefined && params['documentId'] !== null) return params['documentId'];
  if (request.method !== 'GET') return undefined;
  return new URL(request.url, 'http://gateway.invalid').searchParams.get('documentId') ?? undefined;
}

/**
 * Documents from the manifest by id: `documentId`, or `extensions.persistedQuery.sha256Hash` (what Apollo's link
 * and GraphQL Codegen's persisted documents send). An id the manifest has runs its document (a query sent with it
 * must be that text); an unknown `documentId` is a 400; an unknown hash goes on to automatic persisted queries.
 *
 * With `only`, a request with a key runs nothing else: an unknown id or a document of its own is refused with
 * 400 UNTRUSTED_DOCUMENT (the exact text of a manifest document is the same document, and runs). Requests without
 * a key are not held to it: what they reach (introspection, GraphiQL's schema) needs no key.
 *
 * The rule is checked where the document is parsed too, the one step every path takes: the fast path, which skips
 * `onParams`, then declines a document the manifest does not hold, and Yoga refuses it here.
 */
export function useTrustedDocuments({ documents, only }: TrustedDocumentOptions): Plugin {
  return {
    onParams({ params, request, setParams, context }) {
      const { documentId: _id, ...rest } = params as typeof params & { documentId?: unknown };
      const documentId = documentIdOf(params as Record<string, unknown>, request);
      if (documentId !== undefined && typeof documentId !== 'string') throw requestRefusal('documentId must be a string.');
      const id = documentId ?? persistedQueryId(params.extensions);
      const keyed = principalOf(context) !== null;
      if (id !== undefined) {
        const text = documents.byId.get(id);
        if (text !== undefined) {
          if (params.query !== undefined && params.query !== null && params.query !== text) {
            throw requestRefusal(`The query sent is not the trusted document ${JSON.stringify(id)}.`);
          }
          // Resolved here: automatic persisted queries must not check the text against an id that is no hash.
          const { persistedQuery: _pq, ...extensions } = (params.extensions ?? {}) as Record<string, unknown>;
          setParams({ ...rest, query: text, extensions });
          return;
        }
        if (documentId !== undefined || (only && keyed)) throw untrusted(`No trusted document has the id ${JSON.stringify(id)}.`);
        return;
      }
      if (only && keyed && !(typeof params.query === 'string' && documents.texts.has(params.query))) throw untrusted(ONLY_TRUSTED);
    },
    onParse({ context, params: { source } }) {
      if (!only || principalOf(context) === null) return;
      if (!documents.texts.has(typeof source === 'string' ? source : (source as Source).body)) throw untrusted(ONLY_TRUSTED);
    },
  };
}
