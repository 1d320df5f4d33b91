import { utcUnit } from './utc-unit.js';

/** UTC hours (hours since 1970-01-01T00:00Z), as `tool_hours` sums them. */
export const UTC_HOUR = utcUnit(3_600_000);

export const { of: hourOf, start: hourStart, end: hourEnd } = UTC_HOUR;
