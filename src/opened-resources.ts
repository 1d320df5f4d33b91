import type { Logger } from './log/logger.js';

type Close = () => Promise<void> | void;

/**
 * What a start-up has opened so far (database pool, relay connections, rate counter store, server…).
 * When a later step throws, `closeAll` closes them newest first, so a failed start leaves nothing that
 * keeps the process alive.
 */
export class OpenedResources {
  readonly #closers: Close[] = [];

  /** Records `resource` as open and returns it. */
  push<T>(resource: T, close: (resource: T) => Promise<void> | void): T {
    this.#closers.push(() => close(resource));
    return resource;
  }

  /** Closes everything, newest first. A close that fails is logged and the others still run. */
  async closeAll(logger: Logger): Promise<void> {
    for (let close = this.#closers.pop(); close; close = this.#closers.pop()) {
      try {
        await close();
      } catch (error) {
        logger.warn({ err: error }, 'closing after a failed start failed');
      }
    }
  }
}
