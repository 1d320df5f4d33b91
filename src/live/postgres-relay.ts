import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import type { Tables } from '../db/tables.js';
import { decodeChange, encodeChange, type ChangeMessage } from './change-message.js';
import { CHANGE_CHANNEL, type ChangeRelay } from './change-relay.js';

const RECONNECT_MS = [250, 1000, 5000] as const;

/** Sends `message` as a NOTIFY on `db`, or on a transaction, which sends it when (and only if) it commits. */
export async function notifyChange(db: Kysely<Tables>, message: ChangeMessage): Promise<void> {
  await sql`select pg_notify(${CHANGE_CHANNEL}, ${encodeChange(message)})`.execute(db);
}

/**
 * PostgreSQL LISTEN/NOTIFY: NOTIFY goes through the gateway's own pool; LISTEN holds one
 * connection of its own, re-established after a loss (messages sent while it is down are missed:
 * live views catch up with the next change).
 */
export class PostgresRelay implements ChangeRelay {
  readonly name = 'postgres' as const;
  readonly #db: Kysely<Tables>;
  readonly #url: string;
  readonly #onError: (error: unknown) => void;
  #client: pg.Client | null = null;
  #handler: ((message: ChangeMessage) => void) | null = null;
  #closed = false;
  #failures = 0;
  #timer: NodeJS.Timeout | null = null;
  #listening: (listening: boolean) => void = () => {};

  constructor(db: Kysely<Tables>, url: string, onError: (error: unknown) => void = () => {}) {
    this.#db = db;
    this.#url = url;
    this.#onError = onError;
  }

  async publish(message: ChangeMessage): Promise<void> {
    await notifyChange(this.#db, message);
  }

  /** Told each time the LISTEN connection is up (every NOTIFY from then on arrives) and each time it is lost. */
  watchListening(listener: (listening: boolean) => void): void {
    this.#listening = listener;
  }

  async listen(handler: (message: ChangeMessage) => void): Promise<void> {
    this.#handler = handler;
    await this.#connect();
  }

  async #connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.#url });
    client.on('notification', (n) => {
      if (n.channel !== CHANGE_CHANNEL || !n.payload) return;
      const message = decodeChange(n.payload);
      if (message) this.#handler?.(message);
    });
    client.on('error', (error) => this.#lost(client, error));
    client.on('end', () => this.#lost(client, null));
    try {
      await client.connect();
      await client.query(`listen ${CHANGE_CHANNEL}`);
    } catch (error) {
      // Not yet this.#client, so nothing else would end it: a failed start must not leave it open.
      await client.end().catch(() => {});
      throw error;
    }
    if (this.#closed) {
      await client.end();
      return;
    }
    this.#client = client;
    this.#failures = 0;
    this.#listening(true);
  }

  #lost(client: pg.Client, error: unknown): void {
    if (this.#client !== client || this.#closed) return;
    this.#client = null;
    this.#listening(false);
    if (error) this.#onError(error);
    client.end().catch(() => {});
    this.#retry();
  }

  #retry(): void {
    if (this.#closed || this.#timer) return;
    const delay = RECONNECT_MS[Math.min(this.#failures, RECONNECT_MS.length - 1)]!;
    this.#failures++;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#connect().catch((error: unknown) => {
        this.#onError(error);
        this.#retry();
      });
    }, delay);
    this.#timer.unref();
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    const client = this.#client;
    this.#client = null;
    this.#listening(false);
    await client?.end().catch(() => {});
  }
}
