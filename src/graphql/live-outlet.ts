import type { ExecutionResult } from 'graphql';

/**
 * Where a subscription's transport (SSE's writer, a WebSocket's sender) takes a live message straight from the
 * feed's fan-out, in the bytes its own pipeline would have written: a change then costs each subscriber one
 * write, not a walk through the execution's async iterators, plugins and serializers.
 */
export interface LiveOutlet {
  /** Whether a message written now would not wait (the client keeps up); when false the pipeline, which waits for drain, takes it. */
  readonly ready: boolean;
  /** Writes an error-free result as a `next` message. */
  write(result: ExecutionResult): void;
}

/** A subscription's outlet, bound by its transport once the stream is written and unbound when it ends. */
export class LiveOutletSlot {
  outlet: LiveOutlet | null = null;
}

const slots = new WeakMap<object, LiveOutletSlot>();

/** The slot of the operation whose GraphQL context is `context` (made once, by the transport or the first to ask). */
export function outletSlotFor(context: object): LiveOutletSlot {
  let slot = slots.get(context);
  if (!slot) slots.set(context, (slot = new LiveOutletSlot()));
  return slot;
}

/** The slot of `context`, when its transport made one: an operation without one is never written around its pipeline. */
export function outletSlotOf(context: object): LiveOutletSlot | undefined {
  return slots.get(context);
}
