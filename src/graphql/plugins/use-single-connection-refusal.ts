import type { Plugin } from 'graphql-yoga';

/** What /graphql serves, named in the refusal so a client knows what to switch to. */
export const SUPPORTED_TRANSPORTS =
  'POST /graphql (and GET for queries); GraphQL over SSE in distinct connections mode (POST or GET with Accept: text/event-stream; graphql-sse clients: singleConnection: false); GraphQL over WebSocket on /graphql (subprotocol graphql-transport-ws, the graphql-ws client).';

/**
 * graphql-sse's single connection mode starts with a PUT reserving a stream (then a GET holding it, and POSTs naming
 * it by token): a reservation held per process with no key-scoped bound, which the gateway does not offer. The PUT
 * gets 405 naming what is served instead of Yoga's bare "GraphQL only supports GET and POST requests".
 */
export function useSingleConnectionRefusal(): Plugin {
  return {
    onRequest({ request, endResponse, fetchAPI }) {
      if (request.method !== 'PUT') return;
      const message = `graphql-sse's single connection mode (a PUT reserving a stream) is not supported. Supported: ${SUPPORTED_TRANSPORTS}`;
      endResponse(
        new fetchAPI.Response(JSON.stringify({ errors: [{ message, extensions: { code: 'METHOD_NOT_ALLOWED' } }] }), {
          status: 405,
          headers: { allow: 'GET, HEAD, POST', 'content-type': 'application/json; charset=utf-8' },
        }),
      );
    },
  };
}
