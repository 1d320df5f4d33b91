/**
 * `source`'s events passed through `map`, in order, one at a time; ending the mapped stream (`return`)
 * ends the source (a live subscriber releases its place).
 */
export function mapEvents<T, R>(source: AsyncIterator<T>, map: (event: T) => R | Promise<R>): AsyncIterableIterator<R> {
  const finish = async (): Promise<IteratorResult<R>> => {
    await source.return?.();
    return { value: undefined, done: true };
  };
  return {
    async next() {
      const step = await source.next();
      if (step.done) return { value: undefined, done: true };
      return { value: await map(step.value), done: false };
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
