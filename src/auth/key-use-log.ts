import type { Kysely } from 'kysely';
import type { Tables } from '../db/tables.js';
import { writeTransaction } from '../db/write-transaction.js';
import { byCodeUnit } from '../by-code-unit.js';

/**
 * Each key's newest use not yet written. Authenticating notes a use here, so a read never writes nor
 * waits on a write; `flush` writes the uses in one transaction. Uses a failed flush took are put back,
 * so the next flush writes them (unless a newer use of the same key replaced them).
 */
export class KeyUseLog {
  #pending = new Map<string, number>();
  #flushing: Promise<void> = Promise.resolve();

  record(keyId: string, at: number): void {
    const noted = this.#pending.get(keyId);
    if (noted === undefined || at > noted) this.#pending.set(keyId, at);
  }

  /** Writes every use noted so far; calls made while one runs wait for it, then write what is left. */
  flush(db: Kysely<Tables>): Promise<void> {
    const run = this.#flushing.then(() => this.#write(db));
    this.#flushing = run.catch(() => {});
    return run;
  }

  async #write(db: Kysely<Tables>): Promise<void> {
    if (this.#pending.size === 0) return;
    const taken = this.#pending;
    this.#pending = new Map();
    // One order for every process, so concurrent flushes on PostgreSQL lock the same rows in the same order.
    const uses = [...taken].sort(([a], [b]) => byCodeUnit(a, b));
    try {
      await writeTransaction(db, async (trx) => {
        for (const [keyId, at] of uses) {
          await trx
            .updateTable('api_keys')
            .set({ last_used_at: at })
            .where('id', '=', keyId)
            .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', at)]))
            .execute();
        }
      });
    } catch (error) {
      for (const [keyId, at] of taken) this.record(keyId, at);
      throw error;
    }
  }
}
