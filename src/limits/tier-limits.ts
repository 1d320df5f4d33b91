import type { Tier } from '../auth/scopes.js';

export type RateBucket = 'requests' | 'events';

/** Per key, per minute; null = no limit (docs/api.md#rate-limits). */
export const TIER_LIMITS: Readonly<Record<Tier, Readonly<Record<RateBucket, number | null>>>> = Object.freeze({
  standard: { requests: 60, events: null },
  premium: { requests: 300, events: null },
  ingestion: { requests: 1000, events: 100_000 },
  unlimited: { requests: null, events: null },
});

export const WINDOW_MS = 60_000;
