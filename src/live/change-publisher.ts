import { sessionMessages, type ChangeMessage } from './change-message.js';
import type { ChangeRelay } from './change-relay.js';

/** What the ingestion operations tell once their transaction has committed. */
export interface ChangeSink {
  sessionsChanged(accountId: number, sessionIds: readonly string[]): void;
}

/** Sessions touched within this window leave the process as one message per account. */
const GATHER_MS = 20;

/**
 * Gathers the sessions committed batches touched and hands them to the relay a few times a second
 * at most, so heavy ingestion costs the relay little. Publishing never fails an ingestion: a lost
 * announcement is logged, and the data is committed either way.
 */
export class ChangePublisher implements ChangeSink {
  readonly #relay: ChangeRelay;
  readonly #onError: (error: unknown) => void;
  readonly #pending = new Map<number, Set<string>>();
  #timer: NodeJS.Timeout | null = null;
  #inFlight = new Set<Promise<void>>();

  constructor(relay: ChangeRelay, onError: (error: unknown) => void = () => {}) {
    this.#relay = relay;
    this.#onError = onError;
  }

  sessionsChanged(accountId: number, sessionIds: readonly string[]): void {
    if (sessionIds.length === 0) return;
    let set = this.#pending.get(accountId);
    if (!set) this.#pending.set(accountId, (set = new Set()));
    for (const id of sessionIds) set.add(id);
    this.#timer ??= setTimeout(() => this.flush(), GATHER_MS);
  }

  keyRevoked(keyId: string): Promise<void> {
    return this.#send({ kind: 'revoked', keyId });
  }

  /** Sends what is gathered now; resolves when the relay has taken it. */
  async flush(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    const batches = [...this.#pending];
    this.#pending.clear();
    for (const [accountId, ids] of batches) {
      for (const message of sessionMessages(accountId, [...ids])) void this.#send(message);
    }
    await Promise.all(this.#inFlight);
  }

  #send(message: ChangeMessage): Promise<void> {
    const sent = this.#relay.publish(message).catch(this.#onError).finally(() => this.#inFlight.delete(sent));
    this.#inFlight.add(sent);
    return sent;
  }
}
