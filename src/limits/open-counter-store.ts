import { ClusterCounterStore } from '../cluster/cluster-counter-store.js';
import type { Database } from '../db/open-database.js';
import { DatabaseCounterStore } from './database-counter-store.js';
import { MemoryCounterStore } from './memory-counter-store.js';
import type { RateCounterStore } from './rate-counter-store.js';
import { RedisCounterStore } from './redis-counter-store.js';

/**
 * Redis when REDIS_URL is set, else the PostgreSQL all processes share, else the primary's memory for a worker of
 * `serve --workers N` (`clustered`), else this process's memory.
 */
export function openCounterStore(options: {
  database: Database;
  redisUrl: string | null;
  redisPrefix: string;
  clustered?: boolean;
  onError?: (error: unknown) => void;
}): RateCounterStore {
  if (options.redisUrl) return new RedisCounterStore(options.redisUrl, options.redisPrefix, options.onError);
  if (options.database.dialect === 'postgres') return new DatabaseCounterStore(options.database.db);
  if (options.clustered) return new ClusterCounterStore('keys');
  return new MemoryCounterStore();
}
