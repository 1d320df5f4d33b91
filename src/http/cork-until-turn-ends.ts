import type { Writable } from 'node:stream';

const corked = new WeakSet<Writable>();

/**
 * Holds `wire`'s writes until this turn of the event loop ends, so that the live messages of one change
 * (several sessions of a batch, to each subscriber) leave in one system call rather than one each.
 * Node's HTTP response corks only until the next tick, which a stream's own ticks pass before the next
 * message is written.
 */
export function corkUntilTurnEnds(wire: Writable): void {
  if (corked.has(wire)) return;
  corked.add(wire);
  wire.cork();
  setImmediate(() => {
    corked.delete(wire);
    wire.uncork();
  });
}
