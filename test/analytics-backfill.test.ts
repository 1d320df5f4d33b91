// Migration 0003 folds the tool events stored before it into session_tools (and 0008 those into tool_hours), so a database
// upgraded from an earlier release serves the same analytics as one filled after it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Migrator, type Kysely } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { migrations } from '../db/migrations/index.js';
import { defaultConfig, loadConfig } from '../src/config.js';
import { openDatabase } from '../src/db/open-database.js';
import { startGateway } from '../src/gateway.js';
import { createLogger } from '../src/log/logger.js';

const NOW = Date.parse('2024-06-01T00:00:00Z');
const dir = mkdtempSync(join(tmpdir(), 'trenchcoat-backfill-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const S = '11111111-0000-4000-8000-000000000001';

/** Events as the release before 0003 stored them: rows in `events` and the folded `sessions` row. */
const OLD_EVENTS: [string, string, Record<string, unknown>][] = [
  ['session_start', '2024-05-20T10:00:00Z', {}],
  ['tool_use', '2024-05-20T10:01:00Z', { tool_name: 'Read' }],
  ['tool_use', '2024-05-20T10:02:00Z', { tool_name: 'Read' }],
  ['tool_use', '2024-05-20T10:03:00Z', { tool_name: 'Bash' }],
  ['tool_use', '2024-05-20T10:04:00Z', {}],
  ['tool_result', '2024-05-20T10:01:01Z', { tool_name: 'Read', duration_ms: 10 }],
  ['tool_result', '2024-05-20T10:02:01Z', { tool_name: 'Read', duration_ms: 11, is_error: true }],
  ['tool_result', '2024-05-20T10:03:01Z', { tool_name: 'Bash', is_error: 'yes' }],
];

async function seedOldRelease(path: string): Promise<void> {
  const database = openDatabase(path, defaultConfig().postgres, defaultConfig().sqlite);
  try {
    const old = Object.fromEntries(
      ['0001-initial', '0002-event-tool-use-id'].map((name) => [
        name, { up: (db: Kysely<unknown>) => migrations[name]!.up(db, 'sqlite') },
      ]),
    );
    const { error } = await new Migrator({ db: database.db, provider: { getMigrations: async () => old } }).migrateToLatest();
    expect(error).toBeUndefined();
    const { db } = database;
    const account = await db.insertInto('accounts').values({ slug: 'old', created_at: NOW }).returning('id').executeTakeFirstOrThrow();
    const accountId = Number(account.id);
    await db.insertInto('events').values(OLD_EVENTS.map(([type, timestamp, data], i) => ({
      account_id: accountId, session_id: S, event_type: type, ts: Date.parse(timestamp),
      event_id: `e${i}`, dedup_key: `id:e${i}`, data: JSON.stringify(data), tool_use_id: null,
    }))).execute();
    const start = Date.parse('2024-05-20T10:00:00Z');
    await db.insertInto('sessions').values({
      account_id: accountId, id: S, started_at: start, min_start_at: start, max_start_at: start, max_end_at: null,
      min_event_at: start, max_event_at: Date.parse('2024-05-20T10:04:00Z'), event_count: OLD_EVENTS.length, tool_invocations: 4,
    }).execute();
  } finally {
    await database.close();
  }
}

describe('migration 0003 backfill', () => {
  it('serves tools and overview for events stored before it, and keeps folding after it', async () => {
    const path = join(dir, 'old.db');
    await seedOldRelease(path);
    const gateway = await startGateway(
      loadConfig({ port: '0', host: '127.0.0.1', db: path }, {}),
      { logger: createLogger('silent'), now: () => NOW },
    );
    try {
      const { key } = await gateway.keys.create({ account: 'old', scopes: ['read:analytics', 'write:events'], tier: 'unlimited' });
      const get = async (path: string) => (await fetch(`${gateway.url}${path}`, { headers: { 'x-api-key': key } })).json();
      expect(await get('/api/v1/analytics/tools')).toEqual({
        data: {
          tools: [
            { name: 'Read', invocation_count: 2, avg_duration_ms: 11, error_rate: 0.5 }, // (10 + 11) / 2 = 10.5 → 11
            { name: 'Bash', invocation_count: 1, avg_duration_ms: null, error_rate: 0 }, // is_error "yes" is not true
          ],
        },
      });
      expect(await get('/api/v1/analytics/overview')).toEqual({
        data: {
          total_sessions: 1, total_events: 8, total_tool_invocations: 4, active_days: 1,
          top_tools: [{ name: 'Read', invocation_count: 2 }, { name: 'Bash', invocation_count: 1 }],
        },
      });
      // New events add to the backfilled counters.
      const post = await fetch(`${gateway.url}/api/v1/events`, {
        method: 'POST',
        headers: { 'x-api-key': key, 'content-type': 'application/json' },
        body: JSON.stringify({ events: [
          { event_type: 'tool_use', session_id: S, timestamp: '2024-05-20T10:05:00Z', data: { tool_name: 'Bash' } },
          { event_type: 'tool_use', session_id: S, timestamp: '2024-05-20T10:06:00Z', data: { tool_name: 'Bash' } },
          { event_type: 'tool_result', session_id: S, timestamp: '2024-05-20T10:06:01Z', data: { tool_name: 'Bash', duration_ms: 4, is_error: true } },
        ] }),
      });
      expect(post.status).toBe(200);
      expect(await get('/api/v1/analytics/tools')).toEqual({
        data: {
          tools: [
            { name: 'Bash', invocation_count: 3, avg_duration_ms: 4, error_rate: 1 / 3 },
            { name: 'Read', invocation_count: 2, avg_duration_ms: 11, error_rate: 0.5 },
          ],
        },
      });
    } finally {
      await gateway.close();
    }
  });
});
