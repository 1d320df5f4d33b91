import type { LiveRelayKind } from '../config.js';
import type { Database } from '../db/open-database.js';
import type { ChangeRelay } from './change-relay.js';
import { LocalRelay } from './local-relay.js';
import { PostgresRelay } from './postgres-relay.js';
import { RedisRelay } from './redis-relay.js';

export interface RelayChoice {
  readonly kind: LiveRelayKind;
  readonly database: Database;
  readonly databaseUrl: string;
  readonly redisUrl: string | null;
  readonly redisChannel: string;
  readonly onError?: (error: unknown) => void;
}

export function openRelay(choice: RelayChoice): ChangeRelay {
  switch (choice.kind) {
    case 'redis':
      return new RedisRelay(choice.redisUrl!, choice.redisChannel, choice.onError);
    case 'postgres':
      return new PostgresRelay(choice.database.db, choice.databaseUrl, choice.onError);
    case 'local':
      return new LocalRelay();
  }
}
