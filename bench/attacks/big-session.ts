// The session the big-data attacks read: 500 events whose `data` is 64 KiB of JSON each (the most an
// event may carry), stored 70 events per request to stay under the 5 MiB body limit.
import { postBatches, type RawEvent } from './post-events.js';
import { sessionUuid } from './session-uuid.js';

export const BIG_SESSION = sessionUuid(0, 'big');
export const BIG_EVENTS = 500;
const PER_REQUEST = 70;
/** `{"blob":"…"}` with this many characters is exactly 65,536 bytes of JSON. */
const BLOB_CHARS = 65_536 - '{"blob":""}'.length;

export async function seedBigSession(url: string, writeKey: string): Promise<void> {
  const blob = 'x'.repeat(BLOB_CHARS);
  const started = Date.now() - 3_600_000;
  const events: RawEvent[] = Array.from({ length: BIG_EVENTS }, (_, i) => ({
    event_type: i === 0 ? 'session_start' : 'notification',
    session_id: BIG_SESSION,
    timestamp: new Date(started + i * 1000).toISOString(),
    event_id: `big-${i}`,
    data: { blob },
  }));
  const batches: RawEvent[][] = [];
  for (let i = 0; i < events.length; i += PER_REQUEST) batches.push(events.slice(i, i + PER_REQUEST));
  await postBatches(url, writeKey, batches, 2);
}
