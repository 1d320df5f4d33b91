import type { ServerResponse } from 'node:http';
import { corkUntilTurnEnds } from './cork-until-turn-ends.js';
import type { StreamCutReason, StreamGuard } from './stream-guard.js';

/**
 * Writes a response's body as it is produced. The producer waits for `drained()` when a write returns false,
 * so a slow reader's backlog stays where it was produced (a live subscriber's coalescing queue). `onLeft` runs
 * once when the client goes away. With a guard, a stream holding more than `bufferBytes` unsent, or whose
 * unsent bytes see no progress for `writeTimeoutMs`, has its connection destroyed: a client that does not read
 * cannot hold memory; and the writes of one turn of the event loop leave together.
 */
export class StreamWriter {
  readonly #res: ServerResponse;
  readonly #guard: StreamGuard | null;
  readonly #onLeft: () => void;
  #left = false;
  #wake: (() => void) | null = null;
  #unsent = 0;
  #watchdog: NodeJS.Timeout | undefined;
  #measuring = false;

  constructor(res: ServerResponse, guard: StreamGuard | null, onLeft: () => void) {
    this.#res = res;
    this.#guard = guard;
    this.#onLeft = onLeft;
    const socket = res.socket;
    res.once('close', () => {
      clearTimeout(this.#watchdog);
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
    const res = this.#res;
    const guard = this.#guard;
    if (!guard) return res.write(chunk);
    if (res.socket) corkUntilTurnEnds(res.socket);
    if (++this.#unsent === 1) this.#watchdog = setTimeout(() => this.#cutOff('timeout'), guard.writeTimeoutMs);
    const flushed = res.write(chunk, this.#written);
    // What the kernel did not take is known only after this turn.
    if (!this.#measuring) {
      this.#measuring = true;
      setImmediate(() => {
        this.#measuring = false;
        if (res.writableLength > guard.bufferBytes) this.#cutOff('buffer');
      });
    }
    return flushed;
  }

  /** Whether the bytes written wait for the kernel (the client is not reading right now). */
  get waiting(): boolean {
    return this.#res.writableLength > 0;
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

  /** Progress: one write was taken by the kernel. */
  readonly #written = (): void => {
    if (this.#res.destroyed) return;
    this.#unsent--;
    if (this.#unsent > 0) {
      this.#watchdog?.refresh();
    } else {
      clearTimeout(this.#watchdog);
      this.#watchdog = undefined;
    }
  };
}
