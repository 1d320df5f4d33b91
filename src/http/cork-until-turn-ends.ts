/** What can hold its writes: a socket, or an HTTP response (which then joins its chunks into one). */
export interface Corkable {
  cork(): void;
  uncork(): void;
}

const corked = new WeakSet<Corkable>();

/**
 * Holds `wire`'s writes until this turn of the event loop ends, so that the live messages of one change
 * (several sessions of a batch, to each subscriber) leave in one system call rather than one each.
 * Node's HTTP response corks only until the next tick, which a stream's own ticks pass before the next
 * message is written. A corked chunked response also sends the turn's writes as one chunk: one size line
 * and one CRLF for all of them, not each.
 */
export function corkUntilTurnEnds(wire: Corkable): void {
  if (corked.has(wire)) return;
  corked.add(wire);
  wire.cork();
  setImmediate(() => {
    corked.delete(wire);
    wire.uncork();
  });
}
