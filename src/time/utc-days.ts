import { utcUnit } from './utc-unit.js';

/** UTC days, as the API counts them (days since 1970-01-01). */
export const UTC_DAY = utcUnit(86_400_000);

export const { of: dayOf, start: dayStart, end: dayEnd } = UTC_DAY;
