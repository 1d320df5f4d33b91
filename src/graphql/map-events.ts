const DONE: IteratorReturnResult<undefined> = Object.freeze({ value: undefined, done: true });

/**
 * `source`'s events passed through `map`, in order, one at a time; ending the mapped stream (`return`)
 * ends the source (a live subscriber releases its place). An event `map` answers at once costs no extra
 * promise: a change fans out to every subscriber, so this runs for each of them.
 */
export function mapEvents<T, R>(source: AsyncIterator<T>, map: (event: T) => R | Promise<R>): AsyncIterableIterator<R> {
  const finish = async (): Promise<IteratorResult<R>> => {
    await source.return?.();
    return DONE;
  };
  const wrap = (value: R): IteratorResult<R> => ({ value, done: false });
  return {
    next() {
      return source.next().then((step) => {
        if (step.done) return DONE;
        const value = map(step.value);
        return value instanceof Promise ? value.then(wrap) : wrap(value);
      });
    },
    return: finish,
    async throw(error: unknown) {
      await finish();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
