import type { Principal } from './principal.js';

export interface KeyCacheLimits {
  /** Keys kept at most; the oldest goes first. Only keys that authenticated are kept, so this is the keys in use. */
  readonly maxEntries: number;
  /** How long an entry is trusted without a word from the database, for a revocation no NOTIFY reported (SQL by hand). */
  readonly ttlMs: number;
}

/** As TRENCHCOAT_PG_KEY_CACHE's description says: 10,000 keys of about 0.5 KiB each, 60 s each. */
export const KEY_CACHE_LIMITS: KeyCacheLimits = Object.freeze({ maxEntries: 10_000, ttlMs: 60_000 });

interface Entry {
  readonly principal: Principal;
  readonly at: number;
}

/**
 * The principals of keys this process checked lately, by key hash, so a request on PostgreSQL can skip the key's
 * round trip. Trusted only while a feed that hears every revocation is up: the revoking transaction sends a NOTIFY
 * (KeyStore.revoke), the relay's LISTEN connection hears it and calls {@link revoked}. While that connection is down
 * nothing is served from here, and a lookup that began before a revocation or a reconnect is not kept
 * ({@link epoch}): a revoked key is refused on the first request after the NOTIFY arrives.
 */
export class KeyCache {
  readonly #limits: KeyCacheLimits;
  readonly #entries = new Map<string, Entry>();
  #epoch = 0;
  #live = false;

  constructor(limits: KeyCacheLimits) {
    this.#limits = limits;
  }

  /** The feed is listening: every revocation from now on reaches {@link revoked}. */
  connected(): void {
    this.#epoch++;
    this.#live = true;
  }

  /** The feed is down: a revocation may pass unheard, so nothing kept is trusted again. */
  disconnected(): void {
    this.#epoch++;
    this.#live = false;
    this.#entries.clear();
  }

  revoked(keyId: string): void {
    this.#epoch++;
    for (const [hash, entry] of this.#entries) if (entry.principal.keyId === keyId) this.#entries.delete(hash);
  }

  /** Taken before a lookup and handed to {@link keep}: a revocation or a reconnect in between voids the lookup. */
  epoch(): number {
    return this.#epoch;
  }

  get(hash: string, now: number): Principal | null {
    if (!this.#live) return null;
    const entry = this.#entries.get(hash);
    if (!entry) return null;
    if (now - entry.at >= this.#limits.ttlMs || now < entry.at) {
      this.#entries.delete(hash);
      return null;
    }
    return entry.principal;
  }

  keep(hash: string, principal: Principal, epoch: number, now: number): void {
    if (!this.#live || epoch !== this.#epoch) return;
    this.#entries.delete(hash);
    if (this.#entries.size >= this.#limits.maxEntries) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
    this.#entries.set(hash, { principal, at: now });
  }

  get size(): number {
    return this.#entries.size;
  }
}
