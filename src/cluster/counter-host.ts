import { MemoryCounterStore } from '../limits/memory-counter-store.js';
import type { CounterCall } from './cluster-message.js';

/** The primary's side of ClusterCounterStore: one in-memory store per namespace, shared by every worker. */
export class CounterHost {
  readonly #stores = new Map<string, MemoryCounterStore>();

  async run(call: CounterCall): Promise<number> {
    let store = this.#stores.get(call.namespace);
    if (!store) this.#stores.set(call.namespace, (store = new MemoryCounterStore()));
    switch (call.op) {
      case 'add':
        return store.add(call.keyId, call.bucket, call.windowStart, call.amount);
      case 'giveBack':
        await store.giveBack(call.keyId, call.bucket, call.windowStart, call.amount);
        return 0;
      case 'prune':
        await store.prune(call.before);
        return 0;
    }
  }
}
