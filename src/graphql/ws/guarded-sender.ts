import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import type { StreamCutReason, StreamGuard } from '../../http/stream-guard.js';
import { StreamWatch } from '../../http/stream-watch.js';

/** Unsent bytes below which a send does not wait (a Node stream's default high-water mark). */
const PACED_BYTES = 16 * 1024;

/**
 * Sends a socket's messages under the live stream limits (StreamWatch), as SSE's StreamWriter does: past them the
 * socket is terminated. A send resolves at once while at most `PACED_BYTES` wait unsent,
 * else once its bytes were taken (or the socket is gone), so a subscription whose client reads slowly waits, and
 * its backlog stays in its coalescing queue. Messages sent in one turn of the event loop leave in one write.
 */
export class GuardedSender {
  readonly #socket: WebSocket;
  readonly #guard: StreamGuard;
  readonly #watch: StreamWatch;
  readonly #requestId: string;
  readonly #waiting = new Set<() => void>();
  #cut = false;

  constructor(socket: WebSocket, wire: Duplex, guard: StreamGuard, requestId: string) {
    this.#socket = socket;
    this.#guard = guard;
    this.#watch = new StreamWatch(guard, wire, () => socket.bufferedAmount, (reason) => this.cut(reason));
    this.#requestId = requestId;
  }

  send(data: string): Promise<void> {
    const socket = this.#socket;
    if (this.#cut || socket.readyState !== socket.OPEN) return Promise.resolve();
    this.#watch.writing();
    const taken = new Promise<void>((resolve) => {
      const done = () => {
        if (!this.#waiting.delete(done)) return;
        this.#watch.taken();
        resolve();
      };
      this.#waiting.add(done);
      socket.send(data, done);
    });
    // As a stream's write() does: while little waits unsent the caller goes on (the messages of one change then
    // leave together), past that it waits for the kernel to take these bytes.
    return socket.bufferedAmount <= PACED_BYTES ? Promise.resolve() : taken;
  }

  /** Whether a message sent now would not wait (see `send`). */
  get keepsUp(): boolean {
    const socket = this.#socket;
    return !this.#cut && socket.readyState === socket.OPEN && socket.bufferedAmount <= PACED_BYTES;
  }

  /** Sends a message nobody waits for (a live message written around its pipeline while the socket `keepsUp`). */
  post(data: string): void {
    const socket = this.#socket;
    if (this.#cut || socket.readyState !== socket.OPEN) return;
    this.#watch.writing();
    socket.send(data, this.#posted);
  }

  readonly #posted = (): void => {
    if (!this.#cut) this.#watch.taken();
  };

  /** Terminates the socket as a reader that does not keep up (logged and counted once). */
  cut(reason: StreamCutReason): void {
    const socket = this.#socket;
    if (this.#cut || socket.readyState === socket.CLOSED) return;
    this.#cut = true;
    const buffered = socket.bufferedAmount;
    socket.terminate();
    this.#guard.cut({ getHeader: () => this.#requestId }, reason, buffered);
  }

  /** The socket closed: sends still waiting resolve, so nothing waits on it. */
  stop(): void {
    this.#watch.stop();
    for (const done of [...this.#waiting]) done();
  }
}
