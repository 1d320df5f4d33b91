import { GraphQLError } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import { isLimitError } from '../limit-error.js';
import { rebuiltError } from '../rebuilt-error.js';

/** Codes graphql-js and Yoga give a request the client got wrong; the contract's name for them all is VALIDATION_ERROR. */
const REQUEST_ERROR_CODES = new Set(['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_USER_INPUT', 'BAD_REQUEST', 'OPERATION_RESOLUTION_FAILURE']);

/** The error with `extensions.code` VALIDATION_ERROR when it has no code or a request-error code; else itself. */
function withValidationCode<E>(error: E): E | GraphQLError {
  if (!(error instanceof GraphQLError)) return error;
  const code = error.extensions?.['code'];
  if (code !== undefined && !(typeof code === 'string' && REQUEST_ERROR_CODES.has(code))) return error;
  // Yoga's own request errors (a body that is not JSON…) carry the parser's message as `extensions.originalError`: not for clients.
  const { originalError: _internal, ...extensions } = error.extensions ?? {};
  return rebuiltError(error, { extensions: { ...extensions, code: 'VALIDATION_ERROR' } });
}

function isYogaRequestError(error: unknown): error is GraphQLError {
  const code = error instanceof GraphQLError ? error.extensions?.['code'] : undefined;
  return code === 'BAD_REQUEST' || code === 'OPERATION_RESOLUTION_FAILURE';
}

interface HttpExtension {
  status?: number;
  spec?: boolean;
  headers?: Record<string, string>;
}

/**
 * VALIDATION_ERROR with its 4xx kept whatever the Accept header (Yoga's `spec` flag would turn it into a 200): a request
 * that is not well-formed (no query, a body that is not JSON), or an operation Yoga cannot choose (it cannot tell an
 * operationName that is not a string from an unknown one).
 */
function asClientError(error: GraphQLError): GraphQLError {
  const recoded = withValidationCode(error) as GraphQLError;
  const http = (error.extensions?.['http'] ?? {}) as HttpExtension;
  return rebuiltError(recoded, { extensions: { ...recoded.extensions, http: { status: http.status ?? 400, ...(http.headers ? { headers: http.headers } : {}) } } });
}

/**
 * An execution that stopped before any resolver ran because its variables do not coerce (our scalars' refusals
 * included), not a refusal by the limits (the cost): 400 with `spec`, as Yoga marks documents that do not parse or
 * validate, which it answers with 200 under application/json, as the GraphQL-over-HTTP spec recommends. The scalars'
 * errors are GraphQLErrors (schema/scalars.ts), which masking leaves as they are.
 */
function asDocumentError(error: unknown): unknown {
  if (!(error instanceof GraphQLError) || error.extensions?.['code'] !== 'VALIDATION_ERROR') return error;
  // A field's own refusal (a subscription's sessionId that is not a UUID) has a path; a variable's has none.
  if (error.path !== undefined || isLimitError(error as unknown)) return error;
  const http = (error.extensions['http'] ?? {}) as HttpExtension;
  if (http.spec !== undefined || (http.status !== undefined && http.status !== 400)) return error;
  return rebuiltError(error, { extensions: { ...error.extensions, http: { ...http, status: 400, spec: true } } });
}

/**
 * Every GraphQL error carries `extensions.code` (docs/api.md#graphql-errors). A document that does not parse or validate, and
 * variables that do not coerce (`$limit: Int` given "ten"), are the client's mistake: VALIDATION_ERROR.
 */
export function useRequestErrorCode(): Plugin {
  return {
    onParse() {
      return ({ result, replaceParseResult }) => {
        if (result instanceof Error) replaceParseResult(withValidationCode(result) as GraphQLError);
      };
    },
    onValidate({ validateFn, setValidationFn }) {
      // graphql-js 16 throws from inside some rules (a directive argument of the wrong type at a
      // subscription's root): report that as the validation error it is, not as an unexpected one.
      setValidationFn((...args) => {
        try {
          return validateFn(...args);
        } catch (error) {
          if (error instanceof GraphQLError) return [error];
          throw error;
        }
      });
      return ({ valid, result, setResult }) => {
        if (!valid) setResult(result.map(withValidationCode) as GraphQLError[]);
      };
    },
    // Yoga's request-level refusals (bad body, missing query, unknown operation name) never reach the hooks above.
    onResultProcess({ result, setResult }) {
      if (isAsyncIterable(result) || Array.isArray(result) || !result.errors || 'data' in result) return;
      if (!result.errors.some(isYogaRequestError)) return;
      setResult({ ...result, errors: result.errors.map((e) => (isYogaRequestError(e) ? asClientError(e) : e)) });
    },
    onExecute() {
      return {
        onExecuteDone({ result, setResult }) {
          // A result without `data` failed before any resolver ran: bad variables or operation choice.
          if (!isAsyncIterable(result) && !('data' in result) && result.errors) {
            setResult({ ...result, errors: result.errors.map((error) => asDocumentError(withValidationCode(error))) as GraphQLError[] });
          }
        },
      };
    },
  };
}
