import { createHash } from 'node:crypto';
import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Principal } from '../../auth/principal.js';
import { persistedQueryId } from '../persisted/persisted-query-extension.js';
import type { PersistedQueryStore } from '../persisted/persisted-query-store.js';
import { requestRefusal } from '../persisted/request-refusal.js';

export interface PersistedQueryOptions {
  store: PersistedQueryStore;
  /** A longer document still runs, but is not stored. */
  maxDocumentBytes: number;
  /** A store that fails is reported here; the request goes on as if the store held nothing. */
  onError: (error: unknown) => void;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * The answer Apollo's persisted-query link retries on with the whole document: Apollo Server's, status 200 and
 * uncached (the next request with this hash is about to succeed).
 */
function notFound(): GraphQLError {
  return new GraphQLError('PersistedQueryNotFound', {
    extensions: { code: 'PERSISTED_QUERY_NOT_FOUND', http: { status: 200, headers: { 'cache-control': 'private, no-cache, must-revalidate' } } },
  });
}

/**
 * Automatic persisted queries (Apollo's protocol), on Yoga's path (the fast path declines any body with
 * `extensions`). A hash alone runs the stored document, or answers PERSISTED_QUERY_NOT_FOUND; a hash with its
 * document is checked (the sha256 of the text must be the hash, else 400) and runs. Only a caller with a key
 * has its document stored, and only once it has parsed and validated within the limits (it reached execution):
 * a client without a key, or a document that fails, never adds to the store.
 */
export function usePersistedQueries(options: PersistedQueryOptions): Plugin {
  const toStore = new WeakMap<object, { hash: string; document: string }>();

  // Nothing to wait for unless this request has a document to store: the fast path's executions stay synchronous.
  function store(contextValue: unknown): Promise<void> | undefined {
    const request = (contextValue as { request?: object } | undefined)?.request;
    const pending = request && toStore.get(request);
    if (!pending) return undefined;
    toStore.delete(request);
    return options.store.set(pending.hash, pending.document).catch(options.onError);
  }

  return {
    onParams({ params, request, setParams, context }) {
      const id = persistedQueryId(params.extensions);
      if (id === undefined) return;
      const hash = id.toLowerCase();
      if (!SHA256_HEX.test(hash)) throw requestRefusal('extensions.persistedQuery.sha256Hash must be 64 hexadecimal digits: the sha256 of the document.');
      const { query } = params;
      if (typeof query === 'string') {
        if (createHash('sha256').update(query).digest('hex') !== hash) {
          throw requestRefusal('extensions.persistedQuery.sha256Hash is not the sha256 of the query sent with it.');
        }
        const principal = (context as { principal?: Principal | null }).principal;
        if (principal && Buffer.byteLength(query) <= options.maxDocumentBytes) toStore.set(request, { hash, document: query });
        return;
      }
      return options.store.get(hash).then(
        (document) => {
          if (document === null) throw notFound();
          setParams({ ...params, query: document });
        },
        (error: unknown) => {
          options.onError(error);
          throw notFound();
        },
      );
    },
    onExecute: ({ args }) => store(args.contextValue),
    onSubscribe: ({ args }) => store(args.contextValue),
  };
}
