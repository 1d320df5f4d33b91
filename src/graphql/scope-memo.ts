/**
 * A value kept for one scope (a request's budgets, a live message, a page read): on the scope object itself, under a
 * symbol of its own, so that it dies with the scope. A module-level WeakMap keyed by such short-lived objects does
 * not: V8's young-generation collector keeps a WeakMap's values alive until a full collection finds their keys dead,
 * so every request's values were promoted to the old generation (measured 2026-12-07, Intel Xeon, one session with
 * 50 events and its tools, --trace-gc-nvp: 57 MB promoted in 8 s at 1,300 requests/s). A scope that cannot take
 * a property (frozen) falls back to a WeakMap.
 */
export class ScopeMemo<V> {
  readonly #slot: symbol;
  readonly #sealed = new WeakMap<object, V>();

  constructor(name: string) {
    this.#slot = Symbol(name);
  }

  get(scope: object, create: () => V): V {
    const held = (scope as Record<symbol, V | undefined>)[this.#slot];
    if (held !== undefined) return held;
    if (!Object.isExtensible(scope)) {
      let value = this.#sealed.get(scope);
      if (value === undefined) this.#sealed.set(scope, (value = create()));
      return value;
    }
    const value = create();
    // Not enumerable: spreads, JSON and GraphQL's field reads never see it.
    Object.defineProperty(scope, this.#slot, { value });
    return value;
  }
}
