import { corkUntilTurnEnds, type Corkable } from './cork-until-turn-ends.js';
import type { StreamCutReason, StreamGuard } from './stream-guard.js';

/**
 * One live stream's limits (src/http/stream-guard.ts), whatever writes it (SSE's StreamWriter, WebSocket's
 * GuardedSender): more than `bufferBytes` unsent after a turn of the event loop, or unsent writes with none taken
 * for `writeTimeoutMs`, and `cut` is called. The writes of one turn are corked to leave together.
 */
export class StreamWatch {
  readonly #guard: StreamGuard;
  readonly #wire: Corkable | null;
  readonly #unsentBytes: () => number;
  readonly #cut: (reason: StreamCutReason) => void;
  #unsent = 0;
  #watchdog: NodeJS.Timeout | undefined;
  #measuring = false;

  constructor(guard: StreamGuard, wire: Corkable | null, unsentBytes: () => number, cut: (reason: StreamCutReason) => void) {
    this.#guard = guard;
    this.#wire = wire;
    this.#unsentBytes = unsentBytes;
    this.#cut = cut;
  }

  /** A write is about to be handed to the wire; `taken()` must follow once the kernel took it. */
  writing(): void {
    if (this.#wire) corkUntilTurnEnds(this.#wire);
    if (++this.#unsent === 1) this.#watchdog = setTimeout(() => this.#cut('timeout'), this.#guard.writeTimeoutMs);
    // What the kernel did not take is known only after this turn (after the cork above is lifted).
    if (!this.#measuring) {
      this.#measuring = true;
      setImmediate(() => {
        this.#measuring = false;
        if (this.#unsentBytes() > this.#guard.bufferBytes) this.#cut('buffer');
      });
    }
  }

  /** Progress: one write was taken by the kernel. */
  taken(): void {
    this.#unsent--;
    if (this.#unsent > 0) {
      this.#watchdog?.refresh();
    } else {
      this.stop();
    }
  }

  stop(): void {
    clearTimeout(this.#watchdog);
    this.#watchdog = undefined;
  }
}
