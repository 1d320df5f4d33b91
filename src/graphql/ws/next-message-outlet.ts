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

/**
 * A subscription's outlet on a socket: graphql-ws's `next` message for its id, the bytes graphql-ws itself would
 * send. A class, not an object literal with a getter: a thousand outlets then share one shape, and the fan-out's
 * calls stay fast.
 */
export class NextMessageOutlet implements LiveOutlet {
  readonly #sender: GuardedSender;
  readonly #head: string;

  constructor(sender: GuardedSender, id: string) {
    this.#sender = sender;
    this.#head = `{"id":${JSON.stringify(id)},"type":"next","payload":`;
  }

  get ready(): boolean {
    return this.#sender.keepsUp;
  }

  write(result: ExecutionResult): void {
    this.#sender.post(`${this.#head}${payloadOf(result)}}`);
  }
}
