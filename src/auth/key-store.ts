import { timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import { reusable } from '../db/reusable-query.js';
import { runsOnPostgres } from '../db/runs-on-postgres.js';
import type { Tables } from '../db/tables.js';
import { writeTransaction } from '../db/write-transaction.js';
import { notifyChange } from '../live/postgres-relay.js';
import { apiKeyPrefix, generateApiKey, hashApiKey, KEY_PATTERN, newKeyId } from './api-key.js';
import type { KeyCache } from './key-cache.js';
import { KeyUseLog } from './key-use-log.js';
import type { Principal } from './principal.js';
import { defaultTier, isScope, isTier, type Scope, type Tier } from './scopes.js';

export interface NewKeyRequest {
  account: string;
  scopes: readonly Scope[];
  name?: string | null;
  tier?: Tier;
}

export interface CreatedKey {
  id: string;
  key: string;
  account: string;
  scopes: Scope[];
  tier: Tier;
}

export interface KeyListing {
  id: string;
  account: string;
  name: string | null;
  prefix: string;
  scopes: Scope[];
  tier: Tier;
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

export class KeyNotFoundError extends Error {
  override name = 'KeyNotFoundError';
}

export const ACCOUNT_SLUG = /^[a-z0-9][a-z0-9_-]{0,62}$/;

function parseScopes(stored: string): Scope[] {
  return stored.split(',').filter(isScope);
}

export class KeyStore {
  readonly #db: Kysely<Tables>;
  readonly #uses = new KeyUseLog();
  readonly #cache: KeyCache | undefined;

  /** With `cache`, keys checked lately are answered from memory (PostgreSQL, while its revocations are heard). */
  constructor(db: Kysely<Tables>, cache?: KeyCache) {
    this.#db = db;
    this.#cache = cache;
  }

  async create(request: NewKeyRequest, now = Date.now()): Promise<CreatedKey> {
    const scopes = [...new Set(request.scopes)];
    const tier = request.tier ?? defaultTier(scopes);
    const key = generateApiKey();
    const id = newKeyId();
    await writeTransaction(this.#db, async (trx) => {
      await trx
        .insertInto('accounts')
        .values({ slug: request.account, created_at: now })
        .onConflict((oc) => oc.column('slug').doNothing())
        .execute();
      const account = await trx
        .selectFrom('accounts')
        .select('id')
        .where('slug', '=', request.account)
        .executeTakeFirstOrThrow();
      await trx
        .insertInto('api_keys')
        .values({
          id,
          account_id: Number(account.id),
          name: request.name ?? null,
          prefix: apiKeyPrefix(key),
          key_hash: hashApiKey(key),
          scopes: scopes.join(','),
          tier,
          created_at: now,
        })
        .execute();
    });
    return { id, key, account: request.account, scopes, tier };
  }

  /** The account's id, creating the account if it is new (for work done without a key, like `import`). */
  async ensureAccount(slug: string, now = Date.now()): Promise<number> {
    return writeTransaction(this.#db, async (trx) => {
      await trx
        .insertInto('accounts')
        .values({ slug, created_at: now })
        .onConflict((oc) => oc.column('slug').doNothing())
        .execute();
      const account = await trx.selectFrom('accounts').select('id').where('slug', '=', slug).executeTakeFirstOrThrow();
      return Number(account.id);
    });
  }

  async list(account?: string): Promise<KeyListing[]> {
    let query = this.#db
      .selectFrom('api_keys')
      .innerJoin('accounts', 'accounts.id', 'api_keys.account_id')
      .select([
        'api_keys.id', 'accounts.slug', 'api_keys.name', 'api_keys.prefix', 'api_keys.scopes',
        'api_keys.tier', 'api_keys.created_at', 'api_keys.last_used_at', 'api_keys.revoked_at',
      ])
      .orderBy('api_keys.created_at')
      .orderBy('api_keys.id');
    if (account !== undefined) query = query.where('accounts.slug', '=', account);
    const rows = await query.execute();
    return rows.map((r) => ({
      id: r.id,
      account: r.slug,
      name: r.name,
      prefix: r.prefix,
      scopes: parseScopes(r.scopes),
      tier: isTier(r.tier) ? r.tier : 'standard',
      createdAt: Number(r.created_at),
      lastUsedAt: r.last_used_at === null ? null : Number(r.last_used_at),
      revokedAt: r.revoked_at === null ? null : Number(r.revoked_at),
    }));
  }

  /**
   * Revokes at once: the next request with this key is refused. Idempotent. On PostgreSQL the revocation is also
   * a NOTIFY, sent by the same transaction (so on its commit, never without it), which empties every gateway's
   * {@link KeyCache} of the key.
   */
  async revoke(id: string, now = Date.now()): Promise<void> {
    await writeTransaction(this.#db, async (trx) => {
      const existing = await trx.selectFrom('api_keys').select('revoked_at').where('id', '=', id).executeTakeFirst();
      if (!existing) throw new KeyNotFoundError(`No API key with id ${id}.`);
      if (existing.revoked_at === null) {
        await trx.updateTable('api_keys').set({ revoked_at: now }).where('id', '=', id).execute();
      }
      if (runsOnPostgres(trx)) await notifyChange(trx, { kind: 'revoked', keyId: id });
    });
    // This process's own cache forgets it now, not when the NOTIFY comes back.
    this.#cache?.revoked(id);
  }

  /**
   * The principal for a presented key, or null for a malformed, unknown or revoked one. Only reads: the
   * use is noted in memory and written by {@link flushLastUsed}.
   */
  async authenticate(presented: string | null, now = Date.now()): Promise<Principal | null> {
    if (presented === null || !KEY_PATTERN.test(presented)) return null;
    // Lookup by SHA-256 of the key: the comparison is on a hash, so its timing reveals nothing of the key.
    const hash = hashApiKey(presented);
    const cached = this.#cache?.get(hash, now);
    if (cached) {
      this.#uses.record(cached.keyId, now);
      return cached;
    }
    const epoch = this.#cache?.epoch() ?? 0;
    const db = this.#db;
    const lookup = reusable(db, 'apiKeys.byHash', (p) =>
      db
        .selectFrom('api_keys')
        .innerJoin('accounts', 'accounts.id', 'api_keys.account_id')
        .select(['api_keys.id', 'api_keys.key_hash', 'api_keys.prefix', 'api_keys.account_id', 'accounts.slug', 'api_keys.scopes', 'api_keys.tier'])
        .where('api_keys.key_hash', '=', p(0))
        .where('api_keys.revoked_at', 'is', null),
    );
    const [row] = await lookup.execute(db, hash);
    // The index found the row by hash; confirming it in constant time keeps the check itself free of timing signal.
    if (!row || !timingSafeEqual(Buffer.from(row.key_hash, 'hex'), Buffer.from(hash, 'hex'))) return null;
    this.#uses.record(row.id, now);
    const principal: Principal = {
      keyId: row.id,
      keyPrefix: row.prefix,
      accountId: Number(row.account_id),
      accountSlug: row.slug,
      scopes: new Set(parseScopes(row.scopes)),
      tier: isTier(row.tier) ? row.tier : 'standard',
    };
    this.#cache?.keep(hash, principal, epoch, now);
    return principal;
  }

  /**
   * Writes each key's newest use since the last flush as its last_used_at (never moving it back, so
   * processes flushing in any order agree). The gateway calls it on a timer and when it closes. When the
   * database refuses, the uses stay noted for the next flush and the error is thrown.
   */
  flushLastUsed(): Promise<void> {
    return this.#uses.flush(this.#db);
  }
}
