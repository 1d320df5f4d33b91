import { createClient } from '@redis/client';
import { decodeChange, encodeChange, type ChangeMessage } from './change-message.js';
import type { ChangeRelay } from './change-relay.js';

/** How long a start or a publish waits for Redis before giving up (the client keeps reconnecting). */
const CONNECT_WAIT_MS = 5000;

function within<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Redis (REDIS_URL) did not answer within ${CONNECT_WAIT_MS / 1000} s: ${what}`)), CONNECT_WAIT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Redis pub/sub (REDIS_URL): one connection publishes, one subscribes; both reconnect by themselves.
 * Gateways on different databases that share one Redis need different channels.
 */
export class RedisRelay implements ChangeRelay {
  readonly name = 'redis' as const;
  readonly #publisher: ReturnType<typeof createClient>;
  readonly #subscriber: ReturnType<typeof createClient>;
  readonly #channel: string;
  #publisherReady: Promise<unknown> | null = null;

  constructor(url: string, channel: string, onError: (error: unknown) => void = () => {}) {
    this.#channel = channel;
    this.#publisher = createClient({ url, disableOfflineQueue: true });
    this.#subscriber = this.#publisher.duplicate();
    this.#publisher.on('error', onError);
    this.#subscriber.on('error', onError);
  }

  async publish(message: ChangeMessage): Promise<void> {
    await within((this.#publisherReady ??= this.#publisher.connect()), 'publish');
    await this.#publisher.publish(this.#channel, encodeChange(message));
  }

  async listen(handler: (message: ChangeMessage) => void): Promise<void> {
    await within(this.#firstConnection(), 'subscribe');
    await this.#subscriber.subscribe(this.#channel, (payload) => {
      const message = decodeChange(payload);
      if (message) handler(message);
    });
  }

  /**
   * The subscriber's connection, or its first error: the client retries a refused connection forever,
   * and a start that cannot reach Redis should say so at once rather than after the wait.
   */
  #firstConnection(): Promise<unknown> {
    const connecting = this.#subscriber.connect();
    connecting.catch(() => {}); // settles after the start has failed, when close() ends the retries
    let onError!: (error: unknown) => void;
    const failed = new Promise<never>((_, reject) => {
      onError = reject;
      this.#subscriber.once('error', onError);
    });
    return Promise.race([connecting, failed]).finally(() => this.#subscriber.off('error', onError));
  }

  async close(): Promise<void> {
    for (const client of [this.#subscriber, this.#publisher]) {
      if (client.isReady) await client.close().catch(() => client.destroy());
      else if (client.isOpen) client.destroy();
    }
  }
}
