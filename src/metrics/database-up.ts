import type { Database } from '../db/open-database.js';

/** How long one ping's answer stands in for the next scrapes. */
const PING_TTL_MS = 1000;

/** Whether the database answers, pinged at most once a second however often it is asked. */
export class DatabaseUp {
  readonly #database: Database;
  #checkedAt = -Infinity;
  #pending: Promise<boolean> | null = null;
  #up = false;

  constructor(database: Database) {
    this.#database = database;
  }

  check(): Promise<boolean> {
    if (performance.now() - this.#checkedAt < PING_TTL_MS) return Promise.resolve(this.#up);
    this.#pending ??= this.#database
      .ping()
      .then(() => true, () => false)
      .then((up) => {
        this.#up = up;
        this.#checkedAt = performance.now();
        this.#pending = null;
        return up;
      });
    return this.#pending;
  }
}
