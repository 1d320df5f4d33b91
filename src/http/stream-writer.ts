import type { ServerResponse } from 'node:http';
import type { StreamCutReason, StreamGuard } from './stream-guard.js';
import { StreamWatch } from './stream-watch.js';

/**
 * Writes a response's body as it is produced. The producer waits for `drained()` when a write returns false,
 * so a slow reader's backlog stays where it was produced (a live subscriber's coalescing queue). `onLeft` runs
 * once when the client goes away. With a guard, the stream is held to its limits (StreamWatch): past them its
 * connection is destroyed, so a client that does not read cannot hold memory.
 */
export class StreamWriter {
  readonly #res: ServerResponse;
  readonly #guard: StreamGuard | null;
  readonly #watch: StreamWatch | null;
  readonly #onLeft: () => void;
  #left = false;
  #wake: (() => void) | null = null;

  constructor(res: ServerResponse, guard: StreamGuard | null, onLeft: () => void) {
    this.#res = res;
    this.#guard = guard;
    // The response itself is corked, not its socket: Node then sends a turn's writes as one chunk.
    this.#watch = guard ? new StreamWatch(guard, res, () => res.writableLength, (reason) => this.#cutOff(reason)) : null;
    this.#onLeft = onLeft;
    const socket = res.socket;
    res.once('close', () => {
      this.#watch?.stop();
      this.#leave();
    });
    // The client's FIN or reset reaches the socket a turn of the event loop before the response's 'close': a
    // client that reconnects at once must find its slot free.
    socket?.once('end', this.#leave);
    socket?.once('error', this.#leave);
    if (res.destroyed) this.#leave();
  }

  /** Whether the client went away (nothing more is written). */
  get left(): boolean {
    return this.#left;
  }

  /** False when the caller should wait for `drained()` before writing more. */
  write(chunk: Uint8Array | string): boolean {
    if (!this.#watch) return this.#res.write(chunk);
    this.#watch.writing();
    return this.#res.write(chunk, this.#written);
  }

  /** Whether the bytes written wait for the kernel (the client is not reading right now). */
  get waiting(): boolean {
    return this.unsentBytes > 0;
  }

  /** Bytes written and not yet taken by the kernel (those corked for this turn included). */
  get unsentBytes(): number {
    return this.#res.writableLength;
  }

  /** Resolves once the response drained or the client left. */
  drained(): Promise<void> {
    if (this.#left) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = () => {
        this.#res.off('drain', done);
        if (this.#wake === done) this.#wake = null;
        resolve();
      };
      this.#wake = done;
      this.#res.once('drain', done);
    });
  }

  end(chunk?: Uint8Array | string): void {
    if (!this.#left) this.#res.end(chunk);
  }

  /** Stops listening to the socket (the response is complete). */
  release(): void {
    this.#res.socket?.off('end', this.#leave);
    this.#res.socket?.off('error', this.#leave);
  }

  readonly #leave = (): void => {
    if (this.#left) return;
    this.#left = true;
    this.#wake?.();
    this.#onLeft();
  };

  #cutOff(reason: StreamCutReason): void {
    const res = this.#res;
    if (res.destroyed || !this.#guard) return;
    const bufferedBytes = res.writableLength;
    res.destroy();
    this.#guard.cut(res, reason, bufferedBytes);
  }

  readonly #written = (): void => {
    if (!this.#res.destroyed) this.#watch?.taken();
  };
}
