import { GraphQLError } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';

/** Codes graphql-js and Yoga give a request the client got wrong; the contract's name for them all is VALIDATION_ERROR. */
const REQUEST_ERROR_CODES = new Set(['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_USER_INPUT']);

/** The error with `extensions.code` VALIDATION_ERROR when it has no code or a request-error code; else itself. */
function withValidationCode<E>(error: E): E | GraphQLError {
  if (!(error instanceof GraphQLError)) return error;
  const code = error.extensions?.['code'];
  if (code !== undefined && !(typeof code === 'string' && REQUEST_ERROR_CODES.has(code))) return error;
  // A copy: some errors (graphql-jit's) are frozen or have no extensions object.
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: error.originalError,
    extensions: { ...error.extensions, code: 'VALIDATION_ERROR' },
  });
}

/**
 * CONTRACT §7: errors carry `extensions.code`. A document that does not parse or validate, and
 * variables that do not coerce (`$limit: Int` given "ten"), are the client's mistake: VALIDATION_ERROR.
 */
export function useRequestErrorCode(): Plugin {
  return {
    onParse() {
      return ({ result, replaceParseResult }) => {
        if (result instanceof Error) replaceParseResult(withValidationCode(result) as GraphQLError);
      };
    },
    onValidate() {
      return ({ valid, result, setResult }) => {
        if (!valid) setResult(result.map(withValidationCode) as GraphQLError[]);
      };
    },
    onExecute() {
      return {
        onExecuteDone({ result, setResult }) {
          // A result without `data` failed before any resolver ran: bad variables or operation choice.
          if (!isAsyncIterable(result) && !('data' in result) && result.errors) {
            setResult({ ...result, errors: result.errors.map(withValidationCode) as GraphQLError[] });
          }
        },
      };
    },
  };
}
