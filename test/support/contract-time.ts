// A model of the date rules of query parameters and event timestamps (docs/api.md#times), written
// from the docs (not from src/time), for the fuzz specs to predict which generated values the gateway must accept.

const DATE_SHAPE =
  /^([0-9]{4})-([0-9]{2})-([0-9]{2})(?:T([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]+))?(?:Z|([+-])([0-9]{2}):([0-9]{2})))?$/;

/** 0000-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z: the instants the output format can write. */
export const FIRST_INSTANT = Date.parse('0000-01-01T00:00:00Z');
export const LAST_INSTANT = Date.parse('9999-12-31T23:59:59.999Z');

/**
 * A query-parameter date (`YYYY-MM-DD`, 00:00:00Z of that day) or date-time (`YYYY-MM-DDTHH:MM:SS[.f…](Z|±HH:MM)`,
 * fraction truncated to the millisecond) as epoch ms; null when the contract calls it invalid.
 * `dateTimeOnly` refuses the date-only form (an event's `timestamp`).
 */
export function contractInstant(text: string, { dateTimeOnly = false } = {}): number | null {
  const m = DATE_SHAPE.exec(text);
  if (!m) return null;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  if (month < 1 || month > 12 || date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) {
    return null;
  }
  if (m[4] === undefined) return dateTimeOnly ? null : date.getTime();
  const [h, mi, s] = [Number(m[4]), Number(m[5]), Number(m[6])];
  if (h > 23 || mi > 59 || s > 59) return null;
  const millis = Number((m[7] ?? '').slice(0, 3).padEnd(3, '0'));
  let offset = 0;
  if (m[8] !== undefined) {
    const [zh, zm] = [Number(m[9]), Number(m[10])];
    if (zh > 23 || zm > 59) return null;
    offset = (m[8] === '-' ? -1 : 1) * (zh * 60 + zm) * 60_000;
  }
  return date.getTime() + ((h * 60 + mi) * 60 + s) * 1000 + millis - offset;
}

/** A `timestamp` the gateway stores: a date-time whose instant the output format can write. */
export function contractTimestamp(value: unknown): number | null {
  if (typeof value !== 'string') return null;
  const ms = contractInstant(value, { dateTimeOnly: true });
  return ms !== null && ms >= FIRST_INSTANT && ms <= LAST_INSTANT ? ms : null;
}
