export const SCOPES = ['read:analytics', 'write:events'] as const;
export type Scope = (typeof SCOPES)[number];

export const TIERS = ['standard', 'premium', 'ingestion', 'unlimited'] as const;
export type Tier = (typeof TIERS)[number];

export function isScope(value: string): value is Scope {
  return (SCOPES as readonly string[]).includes(value);
}

export function isTier(value: string): value is Tier {
  return (TIERS as readonly string[]).includes(value);
}

/** The tier of a key created without one: `ingestion` for a write-only key, otherwise `standard`. */
export function defaultTier(scopes: readonly Scope[]): Tier {
  return scopes.length > 0 && scopes.every((s) => s === 'write:events') ? 'ingestion' : 'standard';
}
