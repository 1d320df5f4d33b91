const messages = new WeakSet<object>();

/**
 * A copy of `value` that is a scope of its own. A subscription's context lives as long as the stream,
 * so each live message brings its own scope: its children get fresh loaders (or later messages would
 * read cached children) and their own response budget (or the budget would add up across messages).
 */
export function messageScope<T extends object>(value: T): T {
  const copy = { ...value };
  messages.add(copy);
  return copy;
}

/** Whether `parent` is a live message's scope (`messageScope`), rather than a value inside a request. */
export function isMessageScope(parent: unknown): parent is object {
  return typeof parent === 'object' && parent !== null && messages.has(parent);
}
