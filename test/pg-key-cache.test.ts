// On PostgreSQL a gateway answers the keys it checked lately from memory (src/auth/key-cache.ts), and only while its
// LISTEN connection provably hears what is sent through the pool (src/auth/revocation-feed.ts). `trenchcoat keys
// revoke` sends a NOTIFY from its own transaction, which empties the key from every gateway. A revocation written
// by hand in SQL sends none: that is how these specs tell a cached answer from a read one. PGlite is one backend, so
// NOTIFY never reaches another connection there: these need a server.
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { KeyCache } from '../src/auth/key-cache.js';
import type { Principal } from '../src/auth/principal.js';
import { runCli } from './support/cli-run.js';
import { describeNeeding } from './support/requirements.js';
import { getStatus } from './support/rest-read-helpers.js';
import { sideQuery } from './support/side-connection.js';
import { TEST_ENGINE } from './support/test-database.js';
import { startTestGateway, type TestGateway } from './support/test-gateway.js';

const PAGE = '/api/v1/sessions?limit=1';

const status = (t: TestGateway, key: string) => getStatus(t, PAGE, key);

/** Revoked in SQL, as an operator might by hand: no NOTIFY goes out. */
const revokeByHand = (t: TestGateway, id: string) => sideQuery(t, `update api_keys set revoked_at = 1 where id = '${id}'`);
const restoreByHand = (t: TestGateway, id: string) => sideQuery(t, `update api_keys set revoked_at = null where id = '${id}'`);

/** Polls `check` until it holds, for up to `ms`. */
async function eventually(check: () => Promise<boolean>, ms = 5_000): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 50))) if (await check()) return true;
  return check();
}

/** Whether a fresh key, used once, keeps answering after a revocation by hand: the cache is serving. */
async function cacheServes(t: TestGateway): Promise<boolean> {
  const created = await t.gateway.keys.create({ account: 'acme', scopes: ['read:analytics'], tier: 'unlimited' });
  expect(await status(t, created.key)).toBe(200);
  await revokeByHand(t, created.id);
  return (await status(t, created.key)) === 200;
}

if (TEST_ENGINE === 'postgres') describeNeeding('postgres', 'the key cache on PostgreSQL', () => {
  it('answers a key it checked from memory, and `keys revoke` from another process refuses it on the next request', async () => {
    const t = await startTestGateway();
    try {
      // The cache serves once the relay's probe has come back.
      expect(await eventually(() => cacheServes(t))).toBe(true);
      const created = await t.gateway.keys.create({ account: 'acme', scopes: ['read:analytics'], tier: 'unlimited' });
      const other = await t.gateway.keys.create({ account: 'acme', scopes: ['read:analytics'], tier: 'unlimited' });
      expect([await status(t, created.key), await status(t, other.key)]).toEqual([200, 200]);

      const revoke = await runCli(['keys', 'revoke', created.id, '--db', t.dbPath], { cwd: tmpdir() });
      expect(revoke.code, revoke.stderr).toBe(0);
      expect(await status(t, created.key)).toBe(401);
      expect(await status(t, other.key)).toBe(200);
    } finally {
      await t.close();
    }
  }, 60_000);

  it('empties itself when the LISTEN connection is lost, and serves again once it is back and heard', async () => {
    const t = await startTestGateway();
    try {
      expect(await eventually(() => cacheServes(t))).toBe(true);
      const created = await t.gateway.keys.create({ account: 'acme', scopes: ['read:analytics'], tier: 'unlimited' });
      expect(await status(t, created.key)).toBe(200);
      await sideQuery(t, `select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and query ilike 'listen %'`);
      await revokeByHand(t, created.id);
      // Lost: nothing is answered from memory, so the revocation by hand counts at once.
      expect(await eventually(async () => (await status(t, created.key)) === 401)).toBe(true);
      await restoreByHand(t, created.id);
      // The relay reconnects (after 250 ms), its probe comes back, and the cache serves again.
      expect(await eventually(() => cacheServes(t), 10_000)).toBe(true);
    } finally {
      await t.close();
    }
  }, 60_000);

  it('with TRENCHCOAT_PG_KEY_CACHE=off reads every key: a revocation by hand counts at once', async () => {
    const t = await startTestGateway({ env: { TRENCHCOAT_PG_KEY_CACHE: 'off' } });
    try {
      await new Promise((r) => setTimeout(r, 500));
      expect(await cacheServes(t)).toBe(false);
    } finally {
      await t.close();
    }
  }, 60_000);
});

describe('KeyCache', () => {
  const principal = (keyId: string): Principal => ({ keyId, keyPrefix: 'tc_x', accountId: 1, accountSlug: 'acme', scopes: new Set(), tier: 'standard' });
  const limits = { maxEntries: 2, ttlMs: 1_000 };

  it('keeps nothing and serves nothing until its feed is heard', () => {
    const cache = new KeyCache(limits);
    cache.keep('h1', principal('k1'), cache.epoch(), 0);
    expect(cache.get('h1', 0)).toBeNull();
    cache.connected();
    cache.keep('h1', principal('k1'), cache.epoch(), 0);
    expect(cache.get('h1', 10)?.keyId).toBe('k1');
  });

  it('drops a lookup that began before a revocation or a reconnect, so a revoked key is never kept after its NOTIFY', () => {
    const cache = new KeyCache(limits);
    cache.connected();
    const before = cache.epoch();
    cache.revoked('k9');
    cache.keep('h1', principal('k1'), before, 0);
    expect(cache.get('h1', 0)).toBeNull();
    const again = cache.epoch();
    cache.disconnected();
    cache.connected();
    cache.keep('h1', principal('k1'), again, 0);
    expect(cache.get('h1', 0)).toBeNull();
  });

  it('forgets a revoked key, every key when the feed is lost, an entry past its time, and the oldest past its size', () => {
    const cache = new KeyCache(limits);
    cache.connected();
    cache.keep('h1', principal('k1'), cache.epoch(), 0);
    cache.keep('h2', principal('k2'), cache.epoch(), 0);
    cache.revoked('k1');
    expect([cache.get('h1', 0), cache.get('h2', 0)?.keyId]).toEqual([null, 'k2']);
    expect(cache.get('h2', 1_000)).toBeNull();
    cache.keep('h1', principal('k1'), cache.epoch(), 0);
    cache.keep('h2', principal('k2'), cache.epoch(), 0);
    cache.keep('h3', principal('k3'), cache.epoch(), 0);
    expect([cache.get('h1', 0), cache.size]).toEqual([null, 2]);
    cache.disconnected();
    expect([cache.get('h3', 0), cache.size]).toEqual([null, 0]);
  });
});
