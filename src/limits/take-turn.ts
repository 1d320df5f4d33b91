import { setImmediate } from 'node:timers/promises';

let last: Promise<void> = Promise.resolve();

/**
 * Resolves in a later turn of the event loop than every earlier caller's: one caller per turn. On SQLite
 * a statement blocks the event loop while it runs, and so does turning a large answer into JSON; work
 * queued together (aliased analytics, large answers asked for at once) would run back to back in one
 * turn. Work that takes its turn first leaves the loop free to answer other requests (/healthz, other
 * tenants) between it and the next.
 */
export function takeTurn(): Promise<void> {
  const turn = last.then(() => setImmediate());
  last = turn;
  return turn;
}
