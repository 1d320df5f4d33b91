import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { GraphQLJsonBody } from '../graphql-json-body.js';

/** A refusal of the body as Yoga's own JSON parser words it (use-request-error-code.ts gives it the contract's code). */
function badBody(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_REQUEST', http: { status: 400 } } });
}

function paramsOf(body: GraphQLJsonBody): unknown {
  if ('invalid' in body) throw badBody('POST body sent invalid JSON.');
  const { value } = body;
  if (value === null) throw badBody('POST body is expected to be object but received null');
  if (typeof value !== 'object') throw badBody(`POST body is expected to be object but received ${typeof value}`);
  return value;
}

/**
 * The HTTP listener has read and parsed a POST's body (`jsonBody` in the server context) before Yoga sees the
 * request: Yoga takes those params instead of parsing the bytes again, so a body is parsed once. The Request it
 * gets carries no body. Its other parsers (GET's query string) are left as they are.
 */
export function useParsedJsonBody(): Plugin {
  return {
    onRequestParse({ serverContext, setRequestParser }) {
      const body = (serverContext as { jsonBody?: GraphQLJsonBody } | undefined)?.jsonBody;
      if (body) setRequestParser(() => paramsOf(body) as never);
    },
  };
}
