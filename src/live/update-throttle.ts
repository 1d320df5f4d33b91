interface Slot {
  timer: NodeJS.Timeout;
  dirty: boolean;
}

/**
 * At most one update per session per interval: the first change is passed on at once, changes
 * during the interval are folded into one more at its end.
 */
export class UpdateThrottle {
  readonly #intervalMs: number;
  readonly #emit: (accountId: number, sessionId: string) => void;
  readonly #idle: (key: string) => void;
  readonly #slots = new Map<string, Slot>();

  /** `idle` hears of a session that went a whole interval unchanged (by its key, `accountId:sessionId`). */
  constructor(intervalMs: number, emit: (accountId: number, sessionId: string) => void, idle: (key: string) => void = () => {}) {
    this.#intervalMs = intervalMs;
    this.#emit = emit;
    this.#idle = idle;
  }

  /** Whether the session changed within the last interval. */
  active(key: string): boolean {
    return this.#slots.has(key);
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

  #arm(key: string, accountId: number, sessionId: string): void {
    const slot: Slot = {
      dirty: false,
      timer: setTimeout(() => {
        if (!slot.dirty) {
          this.#slots.delete(key);
          this.#idle(key);
          return;
        }
        this.#emit(accountId, sessionId);
        this.#arm(key, accountId, sessionId);
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
