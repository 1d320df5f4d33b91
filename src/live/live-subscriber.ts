import type { GraphQLError } from 'graphql';
import type { ApiError } from '../errors/api-error.js';
import { toGraphQLError } from '../graphql/to-graphql-error.js';
import type { Principal } from '../auth/principal.js';
import type { Session } from '../sessions/session.js';

/** The last message of a stream that ends for a reason the subscriber should read, in GraphQL's shape (`sessionUpdated`). */
export class StreamEnd {
  readonly error: GraphQLError;

  constructor(reason: ApiError) {
    this.error = toGraphQLError(reason);
  }
}

export type LiveMessage = Session | StreamEnd;

/**
 * Delivers an update around a subscriber's pipeline while that pipeline waits idle for its next message: false
 * to leave the update to the pipeline; true once taken, and then `finish` runs exactly once (at once or later),
 * with the update to hand the pipeline after all, or null. Until then, later updates queue.
 */
export type Bypass = (session: Session, finish: (handBack: Session | null) => void) => boolean;

/**
 * One subscription's stream. Updates wait in a queue keyed by session, so a session that changes
 * again before the subscriber has read it takes one place with its newest state; a subscriber that
 * still falls `limit` sessions behind is ended instead of buffered without end.
 */
export class LiveSubscriber implements AsyncIterableIterator<LiveMessage> {
  readonly #pending = new Map<string, Session>();
  readonly #limit: number;
  readonly #onEnd: (subscriber: LiveSubscriber) => void;
  #waiting: ((result: IteratorResult<LiveMessage>) => void) | null = null;
  /** Set by whoever reads the stream when it can write a message itself (src/graphql/plugins/use-shared-live-messages.ts). */
  bypass: Bypass | null = null;
  #bypassing = false;
  #draining = false;
  #end: StreamEnd | null = null;
  #done = false;
  #released = false;

  constructor(
    readonly principal: Principal,
    readonly sessionId: string | null,
    limit: number,
    onEnd: (subscriber: LiveSubscriber) => void,
  ) {
    this.#limit = limit;
    this.#onEnd = onEnd;
  }

  get ended(): boolean {
    return this.#done || this.#end !== null;
  }

  wants(accountId: number, sessionId: string): boolean {
    return !this.ended && this.principal.accountId === accountId && (this.sessionId === null || this.sessionId === sessionId);
  }

  /** False when the subscriber was too far behind and has been ended. */
  push(session: Session, slow: () => StreamEnd): boolean {
    if (this.ended) return false;
    if (this.#waiting && !this.#bypassing) {
      this.#offer(session);
      return true;
    }
    this.#pending.delete(session.id);
    this.#pending.set(session.id, session);
    if (this.#pending.size > this.#limit) {
      this.end(slow());
      return false;
    }
    return true;
  }

  /** The pipeline waits: `session` goes around it when the bypass takes it, else to it. */
  #offer(session: Session): void {
    if (this.bypass) {
      this.#bypassing = true;
      if (this.bypass(session, this.#bypassed)) return;
      this.#bypassing = false;
    }
    this.#hand(session);
  }

  #hand(session: Session): void {
    const resolve = this.#waiting!;
    this.#waiting = null;
    resolve({ value: session, done: false });
  }

  readonly #bypassed = (handBack: Session | null): void => {
    this.#bypassing = false;
    if (this.ended || !this.#waiting) return;
    // A newer state of the session handed back may have queued meanwhile: then that one goes instead.
    if (handBack && !this.#pending.has(handBack.id)) this.#hand(handBack);
    else if (!this.#draining) this.#drain();
  };

  /** Updates that queued while one went around the pipeline: offered in turn, while the pipeline waits idle. */
  #drain(): void {
    this.#draining = true;
    try {
      while (this.#waiting && !this.#bypassing && !this.ended && this.#pending.size > 0) {
        const [id, session] = this.#pending.entries().next().value!;
        this.#pending.delete(id);
        this.#offer(session);
      }
    } finally {
      this.#draining = false;
    }
  }

  /** Ends the stream (updates not yet read are dropped): with `reason` as its last message, or quietly. */
  end(reason?: StreamEnd): void {
    if (this.ended) return;
    this.#pending.clear();
    if (reason) this.#end = reason;
    else this.#done = true;
    if (!this.#released) {
      this.#released = true;
      this.#onEnd(this);
    }
    if (this.#waiting) {
      const resolve = this.#waiting;
      this.#waiting = null;
      resolve(this.#next());
    }
  }

  #next(): IteratorResult<LiveMessage> {
    const first = this.#pending.entries().next();
    if (!first.done) {
      this.#pending.delete(first.value[0]);
      return { value: first.value[1], done: false };
    }
    if (this.#end) {
      const last = this.#end;
      this.#end = null;
      this.#done = true;
      return { value: last, done: false };
    }
    if (this.#done) return { value: undefined, done: true };
    return null as never;
  }

  next(): Promise<IteratorResult<LiveMessage>> {
    if (this.#pending.size > 0 || this.#end || this.#done) return Promise.resolve(this.#next());
    return new Promise((resolve) => (this.#waiting = resolve));
  }

  /** The client went away (or the server stopped the stream). */
  return(): Promise<IteratorResult<LiveMessage>> {
    this.end();
    this.#end = null;
    this.#done = true;
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
