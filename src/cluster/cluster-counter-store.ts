import type { RateCounterStore } from '../limits/rate-counter-store.js';
import type { RateBucket } from '../limits/tier-limits.js';
import { callPrimaryCounters } from './counter-calls.js';

/**
 * A worker of `serve --workers N` without Redis or PostgreSQL counters: the primary counts for every worker, in
 * memory, so that a key's limit is the gateway's, not each process's. `namespace` keeps keys and clients apart.
 */
export class ClusterCounterStore implements RateCounterStore {
  constructor(readonly namespace: string) {}

  add(keyId: string, bucket: RateBucket, windowStart: number, amount: number): Promise<number> {
    return callPrimaryCounters({ op: 'add', namespace: this.namespace, keyId, bucket, windowStart, amount });
  }

  async giveBack(keyId: string, bucket: RateBucket, windowStart: number, amount: number): Promise<void> {
    await callPrimaryCounters({ op: 'giveBack', namespace: this.namespace, keyId, bucket, windowStart, amount });
  }

  async prune(before: number): Promise<void> {
    await callPrimaryCounters({ op: 'prune', namespace: this.namespace, before });
  }

  async close(): Promise<void> {}
}
