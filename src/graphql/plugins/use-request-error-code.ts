import { GraphQLError } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';

/** Codes graphql-js and Yoga give a request the client got wrong; the contract's name for them all is VALIDATION_ERROR. */
const REQUEST_ERROR_CODES = new Set(['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_USER_INPUT']);

function asValidationError(error: unknown): void {
  if (!(error instanceof GraphQLError)) return;
  const extensions = error.extensions as Record<string, unknown>;
  const code = extensions['code'];
  if (code === undefined || (typeof code === 'string' && REQUEST_ERROR_CODES.has(code))) extensions['code'] = 'VALIDATION_ERROR';
}

/**
 * CONTRACT §7: errors carry `extensions.code`. A document that does not parse or validate, and
 * variables that do not coerce (`$limit: Int` given "ten"), are the client's mistake: VALIDATION_ERROR.
 */
export function useRequestErrorCode(): Plugin {
  return {
    onParse() {
      return ({ result }) => asValidationError(result);
    },
    onValidate() {
      return ({ valid, result }) => {
        if (!valid) result.forEach(asValidationError);
      };
    },
    onExecute() {
      return {
        onExecuteDone({ result }) {
          // A result without `data` failed before any resolver ran: bad variables or operation choice.
          if (!isAsyncIterable(result) && !('data' in result)) result.errors?.forEach(asValidationError);
        },
      };
    },
  };
}
