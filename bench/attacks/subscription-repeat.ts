// Attack 2 (issue 15): the big read through subscriptions. Ten subscribers (one key's whole allowance)
// ask for `sessionUpdated { events(limit: 500) { data } }` on the big session; one 200-byte event is
// ingested into it, and each update carries ~43 MB. Then the same with subscribers that never read.
import { abortableSleep } from './abortable-sleep.js';
import type { AttackLab } from './attack-lab.js';
import { BIG_SESSION, seedBigSession } from './big-session.js';
import { postEvents } from './post-events.js';
import { SilentSseSocket } from './silent-sse-socket.js';
import { SseStream } from './sse-stream.js';

const SUBSCRIBERS = 10;
const HOLD_MS = 20_000;
const QUERY = `subscription { sessionUpdated(sessionId: "${BIG_SESSION}") { id events(limit: 500) { data } } }`;

function countBy(values: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].map(([v, n]) => `${v} ×${n}`).join(', ');
}

async function ingestSmallEvent(url: string, writeKey: string): Promise<void> {
  await postEvents(url, writeKey, [
    { event_type: 'notification', session_id: BIG_SESSION, timestamp: new Date().toISOString(), data: { message: 'y'.repeat(180) } },
  ]);
}

export async function subscriptionRepeat(lab: AttackLab): Promise<void> {
  const db = await lab.prepare(
    'subscriptions',
    { write: { account: 'attacker', scopes: 'write:events', tier: 'unlimited' }, read: { account: 'attacker', scopes: 'read:analytics', tier: 'standard' } },
    (url, keys) => seedBigSession(url, keys.write),
  );

  await lab.measure(`subscriptions: ${SUBSCRIBERS} × sessionUpdated { events(limit: 500) { data } } on the big session, 1 event ingested`, db, async (gateway, signal) => {
    const streams = Array.from({ length: SUBSCRIBERS }, () => new SseStream(gateway.url, db.keys.read, QUERY));
    try {
      await Promise.all(streams.map((s) => s.until(() => s.status !== null, signal)));
      // Subscribed once the answer has begun; a moment more for the last one's registration.
      await abortableSleep(300, signal);
      const sent = performance.now();
      await ingestSmallEvent(gateway.url, db.keys.write);
      await Promise.all(streams.map((s) => s.until(() => s.messages > 0, signal)));
      const took = performance.now() - sent;
      const outcome = streams.map((s) => (s.errorCode ? `error ${s.errorCode}` : s.messages > 0 ? 'update' : `no update${s.end ? ` (${s.end})` : ''}`));
      const most = Math.max(...streams.map((s) => s.bytes));
      return `${countBy(streams.map((s) => `${s.status ?? 'no answer'}`))}; ${countBy(outcome)}; largest stream ${(most / 1e6).toFixed(1)} MB, last update in ${(took / 1000).toFixed(1)} s`;
    } finally {
      for (const s of streams) s.close();
    }
  });

  await lab.measure(`subscriptions that never read: ${SUBSCRIBERS} raw sockets, 1 event ingested, held ${HOLD_MS / 1000} s`, db, async (gateway, signal) => {
    const sockets = Array.from({ length: SUBSCRIBERS }, () => new SilentSseSocket(gateway.url, db.keys.read, QUERY));
    try {
      await Promise.race([Promise.all(sockets.map((s) => s.answered)), abortableSleep(30_000, signal)]);
      await abortableSleep(300, signal);
      await ingestSmallEvent(gateway.url, db.keys.write);
      await abortableSleep(HOLD_MS, signal);
      return `${countBy(sockets.map((s) => `${s.status ?? `no answer${s.error ? ` (${s.error})` : ''}`}`))}; held ${HOLD_MS / 1000} s unread`;
    } finally {
      for (const s of sockets) s.close();
    }
  });
}
