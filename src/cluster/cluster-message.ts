import type { RateBucket } from '../limits/tier-limits.js';

/**
 * What a worker and the primary say to each other over the cluster's IPC channel. Every message carries `tc`, so
 * that anything else on the channel (Node's own cluster traffic) is told apart.
 */
export type ClusterMessage =
  /** A worker's change message (encodeChange), which the primary hands to every worker, the sender included. */
  | { readonly tc: 'relay'; readonly payload: string }
  /** A worker asks the primary's counters; `seq` pairs the answer with the question. */
  | { readonly tc: 'count'; readonly seq: number; readonly call: CounterCall }
  | { readonly tc: 'counted'; readonly seq: number; readonly total: number }
  /** A worker listens on the shared port. */
  | { readonly tc: 'listening'; readonly url: string };

/** One RateCounterStore call, in one of the stores the primary keeps per namespace. */
export type CounterCall =
  | { readonly op: 'add' | 'giveBack'; readonly namespace: string; readonly keyId: string; readonly bucket: RateBucket; readonly windowStart: number; readonly amount: number }
  | { readonly op: 'prune'; readonly namespace: string; readonly before: number };

export function isClusterMessage(value: unknown): value is ClusterMessage {
  return typeof value === 'object' && value !== null && typeof (value as { tc?: unknown }).tc === 'string';
}
