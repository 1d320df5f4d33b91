import type { ChangeMessage } from '../live/change-message.js';
import { decodeChange, encodeChange } from '../live/change-message.js';
import type { ChangeRelay } from '../live/change-relay.js';
import { isClusterMessage, type ClusterMessage } from './cluster-message.js';
import { sendToPrimary } from './send-to-primary.js';

/** A worker of `serve --workers N` on SQLite: change messages go through the primary to every worker. */
export class ClusterRelay implements ChangeRelay {
  readonly name = 'cluster' as const;
  #onMessage: ((message: unknown) => void) | null = null;

  async publish(message: ChangeMessage): Promise<void> {
    await sendToPrimary({ tc: 'relay', payload: encodeChange(message) });
  }

  async listen(handler: (message: ChangeMessage) => void): Promise<void> {
    this.#onMessage = (message: unknown) => {
      if (!isClusterMessage(message) || message.tc !== 'relay') return;
      const change = decodeChange((message as Extract<ClusterMessage, { tc: 'relay' }>).payload);
      if (change) handler(change);
    };
    process.on('message', this.#onMessage);
  }

  async close(): Promise<void> {
    if (this.#onMessage) process.off('message', this.#onMessage);
    this.#onMessage = null;
  }
}
