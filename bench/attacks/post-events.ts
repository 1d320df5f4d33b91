// Seeding through the gateway's normal ingestion path: POST /api/v1/events, checked.
import { httpCall } from './http-call.js';

export interface RawEvent {
  event_type: string;
  session_id: string;
  timestamp: string;
  data?: Record<string, unknown>;
  event_id?: string;
}

/** Posts one batch; throws unless every event was accepted. */
export async function postEvents(url: string, key: string, events: readonly RawEvent[]): Promise<void> {
  const answer = await httpCall(`${url}/api/v1/events`, {
    body: JSON.stringify({ events }),
    headers: { 'x-api-key': key, 'content-type': 'application/json' },
    timeoutMs: 120_000,
    keepHead: 1 << 20,
  });
  if (answer.status !== 200) throw new Error(`seeding: POST /api/v1/events answered ${answer.status ?? answer.error}: ${answer.head.slice(0, 500)}`);
  const { accepted } = (JSON.parse(answer.head) as { data: { accepted: number } }).data;
  if (accepted !== events.length) throw new Error(`seeding: ${events.length - accepted} of ${events.length} events refused: ${answer.head.slice(0, 500)}`);
}

/** Posts batches with up to `inflight` requests at once. */
export async function postBatches(url: string, key: string, batches: Iterable<RawEvent[]>, inflight = 4): Promise<void> {
  const iterator = batches[Symbol.iterator]();
  const worker = async () => {
    for (let next = iterator.next(); !next.done; next = iterator.next()) await postEvents(url, key, next.value);
  };
  await Promise.all(Array.from({ length: inflight }, worker));
}
