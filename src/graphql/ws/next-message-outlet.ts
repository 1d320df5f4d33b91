import type { ExecutionResult } from 'graphql';
import type { LiveOutlet } from '../live-outlet.js';
import { stringifyWireResult } from '../wire-result.js';
import type { GuardedSender } from './guarded-sender.js';

/** Each shared result's JSON, made once however many sockets carry it. */
const payloads = new WeakMap<object, string>();

function payloadOf(result: ExecutionResult): string {
  let payload = payloads.get(result);
  if (payload === undefined) payloads.set(result, (payload = stringifyWireResult(result)));
  return payload;
}

/** A subscription's outlet on a socket: graphql-ws's `next` message for `id`, the bytes graphql-ws itself would send. */
export function nextMessageOutlet(sender: GuardedSender, id: string): LiveOutlet {
  const head = `{"id":${JSON.stringify(id)},"type":"next","payload":`;
  return {
    get ready() {
      return sender.keepsUp;
    },
    write(result) {
      sender.post(`${head}${payloadOf(result)}}`);
    },
  };
}
