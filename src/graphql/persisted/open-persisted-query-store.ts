import type { Database } from '../../db/open-database.js';
import { DatabasePersistedQueryStore } from './database-persisted-query-store.js';
import { MemoryPersistedQueryStore } from './memory-persisted-query-store.js';
import type { PersistedQueryBounds, PersistedQueryStore } from './persisted-query-store.js';
import { RedisPersistedQueryStore } from './redis-persisted-query-store.js';

/**
 * As the rate-limit counters: Redis when REDIS_URL is set, else the database when processes share it (PostgreSQL,
 * or the SQLite file of `serve --workers N`), else this process's memory.
 */
export function openPersistedQueryStore(options: {
  database: Database;
  redisUrl: string | null;
  redisPrefix: string;
  bounds: PersistedQueryBounds;
  now: () => number;
  clustered?: boolean;
  onError?: (error: unknown) => void;
}): PersistedQueryStore {
  const { bounds, now } = options;
  if (options.redisUrl) return new RedisPersistedQueryStore(options.redisUrl, options.redisPrefix, bounds, now, options.onError);
  if (options.database.dialect === 'postgres' || options.clustered) return new DatabasePersistedQueryStore(options.database.db, bounds, now);
  return new MemoryPersistedQueryStore(bounds, now);
}
