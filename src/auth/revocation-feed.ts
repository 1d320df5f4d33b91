import { randomUUID } from 'node:crypto';
import type { ChangeMessage } from '../live/change-message.js';
import type { PostgresRelay } from '../live/postgres-relay.js';
import type { KeyCache } from './key-cache.js';

/**
 * Trusts `cache` only while the relay's LISTEN connection provably hears what is sent through the pool: each time
 * it is (re)established, a probe goes out as a NOTIFY like a revocation's, and the cache serves once that probe comes
 * back. Where NOTIFY never arrives (a pooler in transaction mode, a proxy that drops it) the probe never does either,
 * so every request reads its key, as without a cache. Returns the handler for the relay's messages.
 */
export function watchRevocations(relay: PostgresRelay, cache: KeyCache, onError: (error: unknown) => void): (message: ChangeMessage) => void {
  let awaited: string | null = null;
  relay.watchListening((listening) => {
    cache.disconnected();
    awaited = listening ? randomUUID() : null;
    if (awaited) relay.publish({ kind: 'probe', token: awaited }).catch(onError);
  });
  return (message) => {
    if (message.kind === 'revoked') cache.revoked(message.keyId);
    else if (message.kind === 'probe' && message.token === awaited) {
      awaited = null;
      cache.connected();
    }
  };
}
