import type { Plugin } from 'graphql-yoga';
import { limitError } from '../limit-error.js';

/**
 * One operation per request: a JSON array body would multiply every other limit by its length.
 * Yoga refuses it too when `batching` is off (its default, kept), but with code BAD_REQUEST; this
 * gives the contract's VALIDATION_ERROR, 400.
 */
export function useNoBatching(): Plugin {
  return {
    onRequestParse() {
      return {
        onRequestParseDone({ requestParserResult }) {
          if (Array.isArray(requestParserResult)) {
            throw limitError('Batching is not supported: send one operation per request, not a JSON array.');
          }
        },
      };
    },
  };
}
