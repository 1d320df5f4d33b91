// A key's last use (issue 15): authenticating only reads; the use is written off the request path, by a flush on a
// timer (TRENCHCOAT_LAST_USED_FLUSH_MS) and when the gateway closes, and `keys list` shows it then.
// Writes are counted on the running gateway's database (Database.onStatement).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { hashApiKey } from '../src/auth/api-key.js';
import { formatUtc } from '../src/time/iso-time.js';
import { runCli } from './support/cli-run.js';
import { sideQuery } from './support/side-connection.js';
import { event, SESSION_A, startTestGateway, type TestGateway } from './support/test-gateway.js';

const WRITES = /^\s*(insert|update|delete|replace|begin immediate|create|drop|alter)\b/i;

let opened: TestGateway[] = [];
afterEach(async () => {
  for (const t of opened) await t.close();
  opened = [];
});

async function gateway(env?: Record<string, string>): Promise<TestGateway> {
  const t = await startTestGateway({ env });
  opened.push(t);
  return t;
}

/** The stored last_used_at of the key whose secret is `key`, in ms (null when never written). */
async function storedLastUsed(t: TestGateway, key: string): Promise<number | null> {
  const rows = await sideQuery<{ last_used_at: number | string | null }>(t, `select last_used_at from api_keys where key_hash = '${hashApiKey(key)}'`);
  expect(rows, 'the key is stored').toHaveLength(1);
  return rows[0]!.last_used_at === null ? null : Number(rows[0]!.last_used_at);
}

/** Resolves once Date.now() has moved past `instant`, so two uses are told apart. */
async function after(instant: number): Promise<void> {
  while (Date.now() <= instant) await sleep(1);
}

describe("a key's last use", () => {
  it('reads authenticated by a key run no writing statement (REST, GraphQL, repeated uses alike)', async () => {
    const t = await gateway();
    const writer = await t.key({ scopes: ['write:events'] });
    expect((await t.post('/api/v1/events', { events: [event('session_start', SESSION_A, '2026-01-10T08:00:00Z')] }, writer)).status).toBe(200);
    // Used for the first time while statements are counted: a write of its last use would come then.
    const key = await t.key({ scopes: ['read:analytics'] });
    const writes: string[] = [];
    const stop = t.gateway.database.onStatement((sql) => {
      if (WRITES.test(sql)) writes.push(sql);
    });
    try {
      for (let i = 0; i < 3; i++) {
        const rest = await t.get('/api/v1/sessions', key);
        expect(rest.status).toBe(200);
        expect(((await rest.json()) as { data: { total: number } }).data.total).toBe(1);
        const graphql = await t.graphql('{ sessions { total } }', {}, key);
        expect(graphql.body.errors).toBeUndefined();
        expect(graphql.body.data?.['sessions'].total).toBe(1);
      }
    } finally {
      stop();
    }
    expect(writes).toEqual([]);
  });

  it('is written by a flush as the newest use, not before', async () => {
    const t = await gateway();
    const key = await t.key();
    expect((await t.get('/api/v1/sessions', key)).status).toBe(200);
    const firstDone = Date.now();
    await after(firstDone);
    const secondStart = Date.now();
    expect((await t.get('/api/v1/sessions', key)).status).toBe(200);
    const secondDone = Date.now();
    expect(await storedLastUsed(t, key)).toBeNull();

    await t.gateway.keys.flushLastUsed();
    const written = await storedLastUsed(t, key);
    expect(written).not.toBeNull();
    expect(written!).toBeGreaterThanOrEqual(secondStart);
    expect(written!).toBeLessThanOrEqual(secondDone);
  });

  it('never moves back: a flush of an older use leaves a newer stored one', async () => {
    const t = await gateway();
    const key = await t.key();
    expect((await t.get('/api/v1/sessions', key)).status).toBe(200);
    await t.gateway.keys.flushLastUsed();
    const first = (await storedLastUsed(t, key))!;
    // Another process (sharing the database) wrote a later use meanwhile.
    const later = first + 3_600_000;
    await sideQuery(t, `update api_keys set last_used_at = ${later}`);
    expect((await t.get('/api/v1/sessions', key)).status).toBe(200);
    await t.gateway.keys.flushLastUsed();
    expect(await storedLastUsed(t, key)).toBe(later);
  });

  it('is written when the gateway closes, without a flush before', async () => {
    const t = await gateway();
    const key = await t.key();
    const before = Date.now();
    expect((await t.get('/api/v1/sessions', key)).status).toBe(200);
    expect(await storedLastUsed(t, key)).toBeNull();
    await t.gateway.close();
    const written = await storedLastUsed(t, key);
    expect(written).not.toBeNull();
    expect(written!).toBeGreaterThanOrEqual(before);
  });

  it('is written by the periodic flush by itself (TRENCHCOAT_LAST_USED_FLUSH_MS)', async () => {
    const t = await gateway({ TRENCHCOAT_LAST_USED_FLUSH_MS: '100' });
    const key = await t.key();
    expect((await t.get('/api/v1/sessions', key)).status).toBe(200);
    let written: number | null = null;
    for (let i = 0; i < 300 && written === null; i++) {
      await sleep(50);
      written = await storedLastUsed(t, key);
    }
    expect(written).not.toBeNull();
  });

  it('shows in `keys list` once flushed, for the key used only', async () => {
    const t = await gateway();
    const used = await t.key({ account: 'acme' });
    await t.key({ account: 'other' });
    expect((await t.get('/api/v1/sessions', used)).status).toBe(200);
    await t.gateway.keys.flushLastUsed();
    const dir = mkdtempSync(join(tmpdir(), 'trenchcoat-last-used-'));
    try {
      const listed = await runCli(['keys', 'list', '--json', '--db', t.dbPath], { cwd: dir });
      expect(listed.code, listed.stderr).toBe(0);
      const keys = JSON.parse(listed.stdout) as { account: string; last_used_at: string | null }[];
      const stored = await storedLastUsed(t, used);
      expect(keys.find((k) => k.account === 'acme')?.last_used_at).toBe(formatUtc(stored!));
      expect(keys.find((k) => k.account === 'other')?.last_used_at).toBeNull();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
