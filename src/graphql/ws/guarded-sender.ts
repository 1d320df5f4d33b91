import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import { corkUntilTurnEnds } from '../../http/cork-until-turn-ends.js';
import type { StreamCutReason, StreamGuard } from '../../http/stream-guard.js';

/** Unsent bytes below which a send does not wait (a Node stream's default high-water mark). */
const PACED_BYTES = 16 * 1024;

/**
 * Sends a socket's messages under the live stream limits (src/http/stream-guard.ts), as SSE's StreamWriter does: a
 * socket holding more than `bufferBytes` sent and not yet taken by the kernel, or whose unsent bytes see no
 * progress for `writeTimeoutMs`, is terminated. A send resolves at once while at most `PACED_BYTES` wait unsent,
 * else once its bytes were taken (or the socket is gone), so a subscription whose client reads slowly waits, and
 * its backlog stays in its coalescing queue. Messages sent in one turn of the event loop leave in one write.
 */
export class GuardedSender {
  readonly #socket: WebSocket;
  readonly #wire: Duplex;
  readonly #guard: StreamGuard;
  readonly #requestId: string;
  readonly #waiting = new Set<() => void>();
  #unsent = 0;
  #watchdog: NodeJS.Timeout | undefined;
  #measuring = false;
  #cut = false;

  constructor(socket: WebSocket, wire: Duplex, guard: StreamGuard, requestId: string) {
    this.#socket = socket;
    this.#wire = wire;
    this.#guard = guard;
    this.#requestId = requestId;
  }

  send(data: string): Promise<void> {
    const socket = this.#socket;
    if (this.#cut || socket.readyState !== socket.OPEN) return Promise.resolve();
    if (++this.#unsent === 1) this.#watchdog = setTimeout(() => this.cut('timeout'), this.#guard.writeTimeoutMs);
    corkUntilTurnEnds(this.#wire);
    const taken = new Promise<void>((resolve) => {
      const done = () => {
        if (!this.#waiting.delete(done)) return;
        this.#written();
        resolve();
      };
      this.#waiting.add(done);
      socket.send(data, done);
    });
    // What the kernel did not take is known after this turn of the event loop.
    if (!this.#measuring) {
      this.#measuring = true;
      setImmediate(() => {
        this.#measuring = false;
        if (socket.bufferedAmount > this.#guard.bufferBytes) this.cut('buffer');
      });
    }
    // As a stream's write() does: while little waits unsent the caller goes on (the messages of one change then
    // leave together), past that it waits for the kernel to take these bytes.
    return socket.bufferedAmount <= PACED_BYTES ? Promise.resolve() : taken;
  }

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
    clearTimeout(this.#watchdog);
    for (const done of [...this.#waiting]) done();
  }

  #written(): void {
    this.#unsent--;
    if (this.#unsent > 0) this.#watchdog?.refresh();
    else {
      clearTimeout(this.#watchdog);
      this.#watchdog = undefined;
    }
  }
}
