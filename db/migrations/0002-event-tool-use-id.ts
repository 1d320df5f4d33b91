import type { Kysely } from 'kysely';

/** `data.tool_use_id` as a column: hooks pair a tool's result with its call to time it. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('events').addColumn('tool_use_id', 'text').execute();
  await db.schema
    .createIndex('events_tool_use')
    .on('events')
    .columns(['account_id', 'session_id', 'tool_use_id'])
    .where('tool_use_id' as never, 'is not', null)
    .execute();
}
