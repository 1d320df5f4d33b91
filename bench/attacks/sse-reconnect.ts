// Attack 8 (issue 15): a key holds its 10 live subscriptions; one client drops its connection and
// reconnects at once. Its slot should be free at once: the reconnect's status, and, when refused,
// how long until a retry (every 250 ms) is let in.
import type { AttackLab } from './attack-lab.js';
import { SseStream } from './sse-stream.js';
import { sessionUuid } from './session-uuid.js';
import { postEvents } from './post-events.js';

const SLOTS = 10;
const RETRY_MS = 250;
const GIVE_UP_MS = 30_000;
const SESSION = sessionUuid(0, 'reconnect');
const QUERY = `subscription { sessionUpdated(sessionId: "${SESSION}") { id eventCount } }`;

/** Opens a stream and waits for its status; a refused one is closed. */
async function attempt(url: string, key: string, signal: AbortSignal): Promise<SseStream> {
  const stream = new SseStream(url, key, QUERY);
  await stream.until(() => stream.status !== null, signal);
  if (stream.status !== 200) {
    // A refusal is a short stream of one error message: read it (for its code), at most a second.
    const soon = AbortSignal.any([signal, AbortSignal.timeout(1000)]);
    await stream.until(() => stream.end !== null, soon);
    stream.close();
  }
  return stream;
}

export async function sseReconnect(lab: AttackLab): Promise<void> {
  const db = await lab.prepare(
    'sse-reconnect',
    { write: { account: 'attacker', scopes: 'write:events', tier: 'unlimited' }, read: { account: 'attacker', scopes: 'read:analytics', tier: 'unlimited' } },
    (url, keys) => postEvents(url, keys.write, [{ event_type: 'session_start', session_id: SESSION, timestamp: new Date().toISOString() }]),
  );
  await lab.measure(`SSE reconnect: ${SLOTS} subscriptions (the key's limit), one client drops and reconnects at once`, db, async (gateway, signal) => {
    const streams: SseStream[] = [];
    try {
      for (let i = 0; i < SLOTS; i++) streams.push(await attempt(gateway.url, db.keys.read, signal));
      const open = streams.filter((s) => s.status === 200).length;
      if (open < SLOTS) return `only ${open} of ${SLOTS} subscriptions opened (${streams.map((s) => s.status).join(', ')})`;
      streams[0]!.close();
      const dropped = performance.now();
      const first = await attempt(gateway.url, db.keys.read, signal);
      streams.push(first);
      const firstText = `reconnect at once: ${first.status ?? first.end}${first.errorCode ? ` ${first.errorCode}` : ''}`;
      if (first.status === 200) return firstText;
      for (let tries = 2; performance.now() - dropped < GIVE_UP_MS && !signal.aborted; tries++) {
        await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
        const next = await attempt(gateway.url, db.keys.read, signal);
        streams.push(next);
        if (next.status === 200) return `${firstText}; let in after ${((performance.now() - dropped) / 1000).toFixed(1)} s (try ${tries})`;
      }
      return `${firstText}; still refused after ${GIVE_UP_MS / 1000} s`;
    } finally {
      for (const s of streams) s.close();
    }
  });
}
