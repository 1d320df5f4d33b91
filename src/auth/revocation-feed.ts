import { randomUUID } from 'node:crypto';
import type { ChangeMessage } from '../live/change-message.js';
import type { PostgresRelay } from '../live/postgres-relay.js';
import { KEY_CACHE_LIMITS, KeyCache } from './key-cache.js';

/** A key cache and the handler that keeps it in step with the relay's messages. */
export interface WatchedKeyCache {
  readonly cache: KeyCache;
  readonly hear: (message: ChangeMessage) => void;
}

/**
 * Trusts `cache` only while the relay's LISTEN connection provably hears what is sent through the pool: each time
 * it is (re)established, a probe goes out as a NOTIFY like a revocation's, and the cache serves once that probe comes
 * back. Where NOTIFY never arrives (a pooler in transaction mode, a proxy that drops it) the probe never does either,
 * so every request reads its key, as without a cache.
 */
export function watchRevocations(relay: PostgresRelay, onError: (error: unknown) => void): WatchedKeyCache {
  const cache = new KeyCache(KEY_CACHE_LIMITS);
  let awaited: string | null = null;
  relay.watchListening((listening) => {
    cache.disconnected();
    awaited = listening ? randomUUID() : null;
    if (awaited) relay.publish({ kind: 'probe', token: awaited }).catch(onError);
  });
  const hear = (message: ChangeMessage) => {
    if (message.kind === 'revoked') cache.revoked(message.keyId);
    else if (message.kind === 'probe' && message.token === awaited) {
      awaited = null;
      cache.connected();
    }
  };
  return { cache, hear };
}
