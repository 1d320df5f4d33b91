import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import { eventStreamResponse } from '../../http/event-stream-response.js';
import { stringifyWireResult } from '../wire-result.js';

/**
 * A subscription answered as Server-Sent Events is written by the HTTP layer (src/http/write-event-stream.ts):
 * one write per message, each message's JSON made once for every stream that carries the same answer. For a
 * subscription's stream of results Yoga has one processor, its event stream: wherever Yoga chose one, this
 * plugin's takes its place; any other answer (an error before the stream began, a query) stays Yoga's.
 */
export function useDirectEventStream(): Plugin {
  const subscriptions = new WeakSet<Request>();
  return {
    onSubscribe({ args }) {
      const request = (args.contextValue as { request?: Request } | null)?.request;
      if (request) subscriptions.add(request);
    },
    onResultProcess({ request, result, resultProcessor, setResultProcessor }) {
      if (!resultProcessor || !subscriptions.has(request) || !isAsyncIterable(result)) return;
      setResultProcessor((results, fetchAPI) => eventStreamResponse(fetchAPI, { results: results as AsyncIterable<unknown>, stringify: stringifyWireResult }), 'text/event-stream');
    },
  };
}
