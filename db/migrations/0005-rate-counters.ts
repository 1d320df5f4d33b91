import type { Kysely } from 'kysely';
import type { EngineName } from '../../src/db/engine-name.js';

/**
 * Per-key counters of the current rate-limit window, shared by every gateway process on a
 * PostgreSQL database (one process on SQLite counts in memory; the table stays empty there).
 */
export async function up(db: Kysely<unknown>, _dialect: EngineName): Promise<void> {
  await db.schema
    .createTable('rate_counters')
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('bucket', 'text', (c) => c.notNull())
    .addColumn('window_start', 'bigint', (c) => c.notNull())
    .addColumn('used', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('rate_counters_pk', ['key_id', 'bucket', 'window_start'])
    .execute();
}
