import { GraphQLError, type ParseOptions, type Source } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import { isLimitError, limitError } from '../limit-error.js';

/** graphql-js's message when `maxTokens` stops the parser (16.x spells it "more that"). */
const TOO_MANY_TOKENS = /Document contains more th(?:an|at) \d+ tokens/;

/**
 * Parses with graphql-js's `maxTokens`, so the parser stops at the limit instead of building the
 * tree of an arbitrarily long document (TRENCHCOAT_GRAPHQL_MAX_TOKENS). Every parse goes through
 * here: Yoga's own and the fast path's (both parse with `getEnveloped().parse`); Yoga's document
 * cache only holds documents that parsed under the limit.
 */
export function useTokenLimit(maxTokens: number): Plugin {
  return {
    onParse({ parseFn, setParseFn }) {
      setParseFn((source: string | Source, options?: ParseOptions) => {
        try {
          return parseFn(source, { ...options, maxTokens });
        } catch (error) {
          if (error instanceof GraphQLError && TOO_MANY_TOKENS.test(error.message)) {
            throw limitError(`Query exceeds the limit of ${maxTokens} tokens.`);
          }
          // The parser recurses once per nesting level: ~2000 unclosed `[` exhaust the stack before
          // the token limit is reached. Nothing a client may need nests that deep.
          if (error instanceof RangeError) throw limitError('Query is nested too deeply to parse.');
          throw error;
        }
      });
    },
    // Yoga marks every parse error a spec error after the hooks above (usePreventMutationViaGET),
    // which it answers with 200 under `Accept: application/json`; the refusal stays a 400.
    onExecutionResult({ result }) {
      if (isAsyncIterable(result)) return;
      for (const one of Array.isArray(result) ? result : [result]) {
        for (const error of one.errors ?? []) {
          const http = error.extensions?.['http'] as { spec?: boolean } | undefined;
          if (isLimitError(error) && http) http.spec = false;
        }
      }
    },
  };
}
