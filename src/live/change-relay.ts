import type { ChangeMessage } from './change-message.js';

/**
 * Carries change messages to every gateway process, the sender included. One process alone needs
 * only the local relay; several share PostgreSQL LISTEN/NOTIFY or Redis pub/sub.
 */
export interface ChangeRelay {
  readonly name: 'local' | 'postgres' | 'redis' | 'cluster';
  publish(message: ChangeMessage): Promise<void>;
  /** Starts delivering every message (from any process) to `handler`. */
  listen(handler: (message: ChangeMessage) => void): Promise<void>;
  close(): Promise<void>;
}

/** The PostgreSQL NOTIFY channel (per database), and Redis's default channel (`TRENCHCOAT_REDIS_CHANNEL`). */
export const CHANGE_CHANNEL = 'trenchcoat_changes';
