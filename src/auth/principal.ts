import type { Scope, Tier } from './scopes.js';

/** Who is calling: the key's identity, resolved once per request. */
export interface Principal {
  readonly keyId: string;
  readonly keyPrefix: string;
  readonly accountId: number;
  readonly accountSlug: string;
  readonly scopes: ReadonlySet<Scope>;
  readonly tier: Tier;
}
