import type { ChangeMessage } from './change-message.js';
import type { ChangeRelay } from './change-relay.js';

/** One process: messages go straight to this process's listener. */
export class LocalRelay implements ChangeRelay {
  readonly name = 'local' as const;
  #handler: ((message: ChangeMessage) => void) | null = null;

  async publish(message: ChangeMessage): Promise<void> {
    const handler = this.#handler;
    if (handler) queueMicrotask(() => handler(message));
  }

  async listen(handler: (message: ChangeMessage) => void): Promise<void> {
    this.#handler = handler;
  }

  async close(): Promise<void> {
    this.#handler = null;
  }
}
