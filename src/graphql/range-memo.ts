import type { AnalyticsRange } from '../analytics/analytics-range.js';
import { ScopeMemo } from './scope-memo.js';

/** One value per scope and analytics range: read once however many aliases of a request ask for the same range. */
export class RangeMemo<V> {
  readonly #byScope: ScopeMemo<Map<string, V>>;

  constructor(name: string) {
    this.#byScope = new ScopeMemo(name);
  }

  get(scope: object, range: AnalyticsRange, read: () => V): V {
    const known = this.#byScope.get(scope, () => new Map());
    const key = `${range.startMs}:${range.endMs}`;
    let value = known.get(key);
    if (value === undefined) known.set(key, (value = read()));
    return value;
  }
}
