interface Slot {
  timer: NodeJS.Timeout;
  dirty: boolean;
  /** The state last passed on during this burst (see `repeats`). */
  sent: string | null;
}

/**
 * At most one update per session per interval: the first change is passed on at once, changes
 * during the interval are folded into one more at its end.
 */
export class UpdateThrottle {
  readonly #intervalMs: number;
  readonly #emit: (accountId: number, sessionId: string) => void;
  readonly #slots = new Map<string, Slot>();

  constructor(intervalMs: number, emit: (accountId: number, sessionId: string) => void) {
    this.#intervalMs = intervalMs;
    this.#emit = emit;
  }

  /**
   * Whether `state` is what was last passed on for the session (`accountId:sessionId`) in its current burst;
   * else it is remembered as such. A read behind a busy writer can already hold the changes the burst's
   * closing read is for: that read finds nothing new.
   */
  repeats(key: string, state: string): boolean {
    const slot = this.#slots.get(key);
    if (!slot) return false;
    if (slot.sent === state) return true;
    slot.sent = state;
    return false;
  }

  touch(accountId: number, sessionId: string): void {
    const key = `${accountId}:${sessionId}`;
    const slot = this.#slots.get(key);
    if (slot) {
      slot.dirty = true;
      return;
    }
    this.#emit(accountId, sessionId);
    this.#arm(key, accountId, sessionId);
  }

  #arm(key: string, accountId: number, sessionId: string, sent: string | null = null): void {
    const slot: Slot = {
      dirty: false,
      sent,
      timer: setTimeout(() => {
        if (!slot.dirty) {
          this.#slots.delete(key);
          return;
        }
        this.#emit(accountId, sessionId);
        this.#arm(key, accountId, sessionId, slot.sent);
      }, this.#intervalMs),
    };
    slot.timer.unref();
    this.#slots.set(key, slot);
  }

  clear(): void {
    for (const slot of this.#slots.values()) clearTimeout(slot.timer);
    this.#slots.clear();
  }
}
