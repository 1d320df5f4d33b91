import { isClusterMessage, type CounterCall } from './cluster-message.js';
import { PrimaryGoneError, sendToPrimary } from './send-to-primary.js';

const pending = new Map<number, { resolve: (total: number) => void; reject: (error: Error) => void }>();
let lastSeq = 0;
let listening = false;

function listenOnce(): void {
  if (listening) return;
  listening = true;
  process.on('message', (message: unknown) => {
    if (!isClusterMessage(message) || message.tc !== 'counted') return;
    const waiting = pending.get(message.seq);
    pending.delete(message.seq);
    waiting?.resolve(message.total);
  });
  // The primary answers every call it receives; once it is gone, nothing will.
  process.on('disconnect', () => {
    for (const waiting of pending.values()) waiting.reject(new PrimaryGoneError());
    pending.clear();
  });
}

/** Runs one counter call in the primary and resolves with its total (0 for calls that return nothing). */
export function callPrimaryCounters(call: CounterCall): Promise<number> {
  listenOnce();
  const seq = ++lastSeq;
  return new Promise<number>((resolve, reject) => {
    pending.set(seq, { resolve, reject });
    sendToPrimary({ tc: 'count', seq, call }).catch((error: Error) => {
      pending.delete(seq);
      reject(error);
    });
  });
}
