import type { Kysely } from 'kysely';
import type { EngineName } from '../../src/db/engine-name.js';

export async function up(db: Kysely<unknown>, dialect: EngineName): Promise<void> {
  const serial = dialect === 'postgres' ? 'bigserial' : 'integer';

  await db.schema
    .createTable('accounts')
    .addColumn('id', serial, (c) => c.primaryKey())
    .addColumn('slug', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('api_keys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'bigint', (c) => c.notNull().references('accounts.id'))
    .addColumn('name', 'text')
    .addColumn('prefix', 'text', (c) => c.notNull())
    .addColumn('key_hash', 'text', (c) => c.notNull().unique())
    .addColumn('scopes', 'text', (c) => c.notNull())
    .addColumn('tier', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_used_at', 'bigint')
    .addColumn('revoked_at', 'bigint')
    .execute();

  await db.schema
    .createTable('events')
    .addColumn('id', serial, (c) => c.primaryKey())
    .addColumn('account_id', 'bigint', (c) => c.notNull())
    .addColumn('session_id', 'text', (c) => c.notNull())
    .addColumn('event_type', 'text', (c) => c.notNull())
    .addColumn('ts', 'bigint', (c) => c.notNull())
    .addColumn('event_id', 'text')
    .addColumn('dedup_key', 'text', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .execute();
  // The dedup identity of an event (docs/api.md#idempotence); its prefix (account, session) also serves the timeline.
  await db.schema
    .createIndex('events_dedup')
    .on('events')
    .columns(['account_id', 'session_id', 'dedup_key'])
    .unique()
    .execute();

  await db.schema
    .createTable('sessions')
    .addColumn('account_id', 'bigint', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addColumn('min_start_at', 'bigint')
    .addColumn('max_start_at', 'bigint')
    .addColumn('max_end_at', 'bigint')
    .addColumn('min_event_at', 'bigint', (c) => c.notNull())
    .addColumn('max_event_at', 'bigint', (c) => c.notNull())
    .addColumn('event_count', 'bigint', (c) => c.notNull())
    .addColumn('tool_invocations', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('sessions_pk', ['account_id', 'id'])
    .execute();
  await db.schema
    .createIndex('sessions_account_started')
    .on('sessions')
    .columns(['account_id', 'started_at', 'id'])
    .execute();

}
