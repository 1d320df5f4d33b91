const messages = new WeakSet<object>();
const origins = new WeakMap<object, object>();

/**
 * A copy of `value` that is a scope of its own. A subscription's context lives as long as the stream,
 * so each live message brings its own scope: its children get fresh loaders (or later messages would
 * read cached children) and their own response budget (or the budget would add up across messages).
 */
export function messageScope<T extends object>(value: T): T {
  const copy = { ...value };
  messages.add(copy);
  origins.set(copy, value);
  return copy;
}

/** Whether `parent` is a live message's scope (`messageScope`), rather than a value inside a request. */
export function isMessageScope(parent: unknown): parent is object {
  return typeof parent === 'object' && parent !== null && messages.has(parent);
}

/**
 * The value a live message's scope was copied from. The feed hands one change to every subscriber of its account as
 * one object, so reads that depend on the change alone (not on a subscriber's arguments) can be shared through it.
 */
export function messageOrigin(scope: object): object {
  return origins.get(scope) ?? scope;
}
