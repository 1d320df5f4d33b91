import type { FieldProblem } from '../errors/api-error.js';
import { parseDateOrDateTime } from '../time/iso-time.js';

const DIGITS = /^[0-9]+$/;

/** The query parameters that carry the use cases' date-range arguments: read from them, and problems named after them. */
export const RANGE_PARAMS = { startDate: 'start_date', endDate: 'end_date' } as const;

/** Reads a query string strictly: each known parameter at most once, in the contract's syntax. */
export class QueryParams {
  readonly #params: URLSearchParams;
  readonly #problems: FieldProblem[] = [];

  constructor(params: URLSearchParams) {
    this.#params = params;
  }

  #single(name: string): string | undefined {
    const values = this.#params.getAll(name);
    if (values.length > 1) {
      this.#problems.push({ field: name, message: 'must be given at most once' });
      return undefined;
    }
    return values[0];
  }

  /** A plain decimal integer (`05` is 5). Huge values come back unsafe or Infinity; the use case judges them. */
  integer(name: string): number | undefined {
    const raw = this.#single(name);
    if (raw === undefined) return undefined;
    if (!DIGITS.test(raw)) {
      this.#problems.push({ field: name, message: 'must be a non-negative integer in plain decimal digits' });
      return undefined;
    }
    return Number(raw);
  }

  /** A date or date-time, as epoch milliseconds. */
  date(name: string): number | undefined {
    const raw = this.#single(name);
    if (raw === undefined) return undefined;
    const parsed = parseDateOrDateTime(raw);
    if (parsed.ok) return parsed.ms;
    this.#problems.push({ field: name, message: parsed.message });
    return undefined;
  }

  /** One of `allowed`, spelled exactly (case included). */
  oneOf<const T extends string>(name: string, allowed: readonly T[]): T | undefined {
    const raw = this.#single(name);
    if (raw === undefined) return undefined;
    if ((allowed as readonly string[]).includes(raw)) return raw as T;
    this.#problems.push({ field: name, message: `must be one of: ${allowed.join(', ')}` });
    return undefined;
  }

  /** Every bad parameter seen so far; the use case adds its own and reports them together. */
  get problems(): readonly FieldProblem[] {
    return this.#problems;
  }
}
