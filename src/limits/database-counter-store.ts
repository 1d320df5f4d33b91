import { sql, type Kysely } from 'kysely';
import type { Tables } from '../db/tables.js';
import type { RateCounterStore } from './rate-counter-store.js';
import type { RateBucket } from './tier-limits.js';

/** Several processes on one PostgreSQL: one upsert per counted request, atomic in the database. */
export class DatabaseCounterStore implements RateCounterStore {
  readonly #db: Kysely<Tables>;

  constructor(db: Kysely<Tables>) {
    this.#db = db;
  }

  async add(keyId: string, bucket: RateBucket, windowStart: number, amount: number): Promise<number> {
    const row = await this.#db
      .insertInto('rate_counters')
      .values({ key_id: keyId, bucket, window_start: windowStart, used: amount })
      .onConflict((oc) => oc.columns(['key_id', 'bucket', 'window_start']).doUpdateSet((eb) => ({ used: eb('rate_counters.used', '+', amount) })))
      .returning('used')
      .executeTakeFirstOrThrow();
    return Number(row.used);
  }

  async giveBack(keyId: string, bucket: RateBucket, windowStart: number, amount: number): Promise<void> {
    const used = sql.ref('used');
    await this.#db
      .updateTable('rate_counters')
      .set({ used: sql<number>`case when ${used} > ${amount} then ${used} - ${amount} else 0 end` })
      .where('key_id', '=', keyId)
      .where('bucket', '=', bucket)
      .where('window_start', '=', windowStart)
      .execute();
  }

  async prune(before: number): Promise<void> {
    await this.#db.deleteFrom('rate_counters').where('window_start', '<', before).execute();
  }

  async close(): Promise<void> {}
}
