import { createHash } from 'node:crypto';
import type { ValidEvent } from './valid-event.js';

/**
 * The identity of an event within its session (docs/api.md#idempotence): its `event_id` when it has one,
 * else (type, instant, data). The two spaces are disjoint by prefix.
 */
export function dedupKey(event: ValidEvent): string {
  if (event.eventId !== null) return `id:${event.eventId}`;
  const digest = createHash('sha256')
    .update(`${event.eventType}\u0000${event.ts}\u0000${event.dataJson}`)
    .digest('base64url');
  return `h:${digest}`;
}
