import type { ServerResponse } from 'node:http';
import { apiError, type ApiError } from '../errors/api-error.js';

/** Seconds a client refused for want of room is asked to wait: bodies in flight are read within seconds. */
const RETRY_AFTER_SECONDS = 1;

/**
 * Request-body bytes held across all requests in flight, under one ceiling. A request takes room before it
 * reads (its Content-Length, or each chunk as it comes) and gives all of it back when its response closes,
 * however it ends. A request is refused only while others hold bytes: alone, a body within the body limit is
 * always read, so a ceiling below that limit can slow large bodies down but never shut them out.
 */
export class BodyBytesInFlight {
  #held = 0;
  readonly #taken = new WeakMap<ServerResponse, { bytes: number }>();

  constructor(readonly ceiling: number) {}

  /** Bytes held now. */
  get held(): number {
    return this.#held;
  }

  /**
   * Takes `bytes` for the request answered by `res`, or throws 503 UNAVAILABLE (nothing taken). What a response
   * has taken is given back, all at once, when it closes.
   */
  take(res: ServerResponse, bytes: number): void {
    // Its connection is gone: its body will never arrive, and a 'close' already emitted would never give it back.
    if (res.closed) return;
    if (this.#held > 0 && this.#held + bytes > this.ceiling) throw busy();
    let taken = this.#taken.get(res);
    if (taken === undefined) {
      const account = { bytes: 0 };
      this.#taken.set(res, (taken = account));
      res.once('close', () => {
        this.#held -= account.bytes;
        account.bytes = 0;
      });
    }
    this.#held += bytes;
    taken.bytes += bytes;
  }
}

function busy(): ApiError {
  return apiError('UNAVAILABLE', 'The server is reading too many request bodies at once. Retry shortly.', undefined, {
    'retry-after': String(RETRY_AFTER_SECONDS),
  });
}
