/** What can hold its writes: a socket, or an HTTP response (which then joins its chunks into one). */
export interface Corkable {
  cork(): void;
  uncork(): void;
}

/** The longest a hold keeps a corked wire waiting past its turn (see holdCorkedWrites). */
export const MAX_HOLD_MS = 25;

const corked = new WeakSet<Corkable>();
/** Corked wires whose turn ended while a hold was on. */
const waiting = new Set<Corkable>();
let holds = 0;
let deadline: NodeJS.Timeout | null = null;

function uncork(wire: Corkable): void {
  corked.delete(wire);
  wire.uncork();
}

function releaseWaiting(): void {
  if (deadline) clearTimeout(deadline);
  deadline = null;
  const wires = [...waiting];
  waiting.clear();
  for (const wire of wires) uncork(wire);
}

/**
 * Holds `wire`'s writes until this turn of the event loop ends, so that the live messages of one change
 * (several sessions of a batch, to each subscriber) leave in one system call rather than one each.
 * Node's HTTP response corks only until the next tick, which a stream's own ticks pass before the next
 * message is written. A corked chunked response also sends the turn's writes as one chunk: one size line
 * and one CRLF for all of them, not each. While a hold is on, the wire stays corked past its turn, up to
 * MAX_HOLD_MS.
 */
export function corkUntilTurnEnds(wire: Corkable): void {
  if (corked.has(wire)) return;
  corked.add(wire);
  wire.cork();
  setImmediate(() => {
    if (holds === 0) return uncork(wire);
    waiting.add(wire);
    deadline ??= setTimeout(releaseWaiting, MAX_HOLD_MS);
  });
}

/**
 * Keeps corked wires corked past their turn until the returned release is called (once), or MAX_HOLD_MS:
 * for answers still being computed whose messages should leave with the ones already written. On PostgreSQL
 * the answers to one batch's sessions each come back in a turn of their own (each reads the database); held,
 * a subscriber's messages of the batch still leave in one write.
 */
export function holdCorkedWrites(): () => void {
  holds++;
  let released = false;
  return () => {
    if (released) return;
    released = true;
    if (--holds === 0 && waiting.size > 0) setImmediate(() => holds === 0 && releaseWaiting());
  };
}
