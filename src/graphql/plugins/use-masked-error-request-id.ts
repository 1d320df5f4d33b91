import { GraphQLError, type ExecutionResult } from 'graphql';
import { isAsyncIterable, mapAsyncIterator, type Plugin } from 'graphql-yoga';
import type { Logger } from '../../log/logger.js';
import { maskedCause } from '../mask-error.js';
import { rebuiltError } from '../rebuilt-error.js';

/** Yoga marks the errors it masked with `extensions.unexpected`. */
function isMasked(error: unknown): error is GraphQLError {
  return error instanceof GraphQLError && error.extensions?.['unexpected'] === true;
}

/**
 * A masked (unexpected) error's message names the request id, as REST's 500 does, and the
 * error behind it is logged under that id: the one way to find out what happened to a request.
 * Yoga's mask function sees no request, so this runs on the finished result (each message of a
 * stream too), where the server context gives the id.
 */
export function useMaskedErrorRequestId(logger?: Logger): Plugin {
  return {
    onResultProcess({ result, setResult, serverContext }) {
      const requestId = String((serverContext as { requestId?: unknown }).requestId ?? 'unknown');
      const tagged = (one: ExecutionResult): ExecutionResult => {
        if (!one.errors?.some(isMasked)) return one;
        const errors = one.errors.map((error) => {
          if (!isMasked(error)) return error;
          logger?.error({ reqId: requestId, err: maskedCause(error) }, 'unexpected GraphQL error');
          return rebuiltError(error, { message: `An unexpected error occurred. Request id: ${requestId}.`, keepOriginalError: false });
        });
        return { ...one, errors };
      };
      if (isAsyncIterable(result)) setResult(mapAsyncIterator(result, tagged));
      else if (Array.isArray(result)) setResult(result.map(tagged));
      else setResult(tagged(result));
    },
  };
}
