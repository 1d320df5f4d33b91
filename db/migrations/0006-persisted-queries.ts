import type { Kysely } from 'kysely';
import type { EngineName } from '../../src/db/engine-name.js';

/**
 * Automatic persisted queries, by the sha256 of their text, shared by every gateway process on a PostgreSQL
 * database (without Redis). One process on SQLite keeps them in memory; the table stays empty there.
 */
export async function up(db: Kysely<unknown>, _dialect: EngineName): Promise<void> {
  await db.schema
    .createTable('persisted_queries')
    .addColumn('hash', 'text', (c) => c.primaryKey())
    .addColumn('document', 'text', (c) => c.notNull())
    .addColumn('stored_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('persisted_queries_stored_at').on('persisted_queries').column('stored_at').execute();
}
