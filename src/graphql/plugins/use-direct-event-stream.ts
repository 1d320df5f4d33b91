import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import { eventStreamResponse } from '../../http/event-stream-response.js';
import { outletSlotFor, type LiveOutletSlot } from '../live-outlet.js';
import { stringifyWireResult } from '../wire-result.js';

/**
 * A subscription answered as Server-Sent Events is written by the HTTP layer (src/http/write-event-stream.ts):
 * one write per message, each message's JSON made once for every stream that carries the same answer. For a
 * subscription's stream of results Yoga has one processor, its event stream: wherever Yoga chose one, this
 * plugin's takes its place; any other answer (an error before the stream began, a query) stays Yoga's.
 */
export function useDirectEventStream(): Plugin {
  const subscriptions = new WeakMap<Request, LiveOutletSlot>();
  return {
    onSubscribe({ args }) {
      const context = args.contextValue as { request?: Request } | null;
      // The slot is made before the subscription starts, so that its stream can offer to be written around.
      if (context?.request) subscriptions.set(context.request, outletSlotFor(context));
    },
    onResultProcess({ request, result, resultProcessor, setResultProcessor }) {
      const outlet = subscriptions.get(request);
      if (!resultProcessor || !outlet || !isAsyncIterable(result)) return;
      setResultProcessor(
        (results, fetchAPI) => eventStreamResponse(fetchAPI, { results: results as AsyncIterable<unknown>, stringify: stringifyWireResult, outlet }),
        'text/event-stream',
      );
    },
  };
}
