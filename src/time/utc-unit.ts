/**
 * A UTC time unit of fixed length (a day, an hour), numbered from 1970-01-01T00:00Z by floor division, so instants
 * before 1970 fall in the right unit too. Epoch milliseconds have no leap seconds: every UTC day and hour is exactly
 * its length.
 */
export interface UtcUnit {
  readonly ms: number;
  /** The unit holding an instant. */
  of(ms: number): number;
  /** The first instant of a unit. */
  start(unit: number): number;
  /** The last instant (millisecond) of a unit. */
  end(unit: number): number;
}

export function utcUnit(ms: number): UtcUnit {
  return Object.freeze({
    ms,
    of: (instant: number) => Math.floor(instant / ms),
    start: (unit: number) => unit * ms,
    end: (unit: number) => (unit + 1) * ms - 1,
  });
}
