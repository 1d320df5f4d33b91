// Strict ISO 8601 parsing for the shapes the API allows (docs/api.md#times), and the one output format.
// Date.parse is not used: it accepts impossible dates and many shapes the contract rejects.
import { dayOf, dayStart } from './utc-days.js';

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;

export type ParsedTime = { ok: true; ms: number } | { ok: false; message: string };

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return month === 2 && leap ? 29 : (MONTH_DAYS[month - 1] ?? 0);
}

function validDate(year: number, month: number, day: number): boolean {
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

const DATE_HINT = 'YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS[.fff](Z|±HH:MM)';

/** A date (`2024-01-15`, meaning 00:00:00Z) or a date-time with `Z` or an offset. */
export function parseDateOrDateTime(input: string): ParsedTime {
  const dateOnly = DATE_ONLY.exec(input);
  if (dateOnly) {
    const [year, month, day] = dateOnly.slice(1, 4).map(Number) as [number, number, number];
    if (!validDate(year, month, day)) return { ok: false, message: `Not a valid date: expected ${DATE_HINT}.` };
    return { ok: true, ms: dayStart(daysFromCivil(year, month, day)) };
  }
  return parseDateTime(input, DATE_HINT);
}

/** The value of `count` ASCII digits of `input` from `at`, or -1 when one of them is not a digit. */
function digitsAt(input: string, at: number, count: number): number {
  let value = 0;
  for (let i = at; i < at + count; i++) {
    const digit = input.charCodeAt(i) - 48;
    // Past the end, charCodeAt gives NaN, which no comparison lets through.
    if (!(digit >= 0 && digit <= 9)) return -1;
    value = value * 10 + digit;
  }
  return value;
}

/** Days from 1970-01-01 to a valid proleptic Gregorian date (Howard Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

function malformedDateTime(hint: string): ParsedTime {
  return { ok: false, message: `Not a valid date-time: expected ${hint}.` };
}

const COLON = 58;
const DASH = 45;
const DOT = 46;
const PLUS = 43;
const T = 84;
const Z = 90;

/**
 * A date-time with `Z` or an offset; fractions finer than a millisecond are truncated. Read with char codes and
 * arithmetic rather than a regular expression and Date: every ingested event has one, and the regular expression,
 * its captures and Date were a fifth of the instructions a 1000-event batch cost before it reached the database.
 */
export function parseDateTime(input: string, hint = 'YYYY-MM-DDTHH:MM:SS[.fff](Z|±HH:MM)'): ParsedTime {
  const length = input.length;
  if (length < 20 || input.charCodeAt(4) !== DASH || input.charCodeAt(7) !== DASH || input.charCodeAt(10) !== T ||
    input.charCodeAt(13) !== COLON || input.charCodeAt(16) !== COLON) return malformedDateTime(hint);
  const year = digitsAt(input, 0, 4);
  const month = digitsAt(input, 5, 2);
  const day = digitsAt(input, 8, 2);
  const hour = digitsAt(input, 11, 2);
  const minute = digitsAt(input, 14, 2);
  const second = digitsAt(input, 17, 2);
  if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) return malformedDateTime(hint);
  let at = 19;
  let millis = 0;
  if (input.charCodeAt(at) === DOT) {
    const first = ++at;
    while (at < length && digitsAt(input, at, 1) >= 0) at++;
    if (at === first) return malformedDateTime(hint);
    for (let i = first; i < first + 3; i++) millis = millis * 10 + (i < at ? input.charCodeAt(i) - 48 : 0);
  }
  const sign = input.charCodeAt(at);
  let zoneHours = 0;
  let zoneMinutes = 0;
  if (sign === Z) {
    if (at + 1 !== length) return malformedDateTime(hint);
  } else {
    if ((sign !== PLUS && sign !== DASH) || at + 6 !== length || input.charCodeAt(at + 3) !== COLON) return malformedDateTime(hint);
    zoneHours = digitsAt(input, at + 1, 2);
    zoneMinutes = digitsAt(input, at + 4, 2);
    if (zoneHours < 0 || zoneMinutes < 0) return malformedDateTime(hint);
  }
  if (!validDate(year, month, day) || hour > 23 || minute > 59 || second > 59) return malformedDateTime(hint);
  if (zoneHours > 23 || zoneMinutes > 59) return { ok: false, message: `Not a valid UTC offset: ${input.slice(at)}.` };
  const offsetMinutes = (sign === DASH ? -1 : 1) * (zoneHours * 60 + zoneMinutes);
  const ms = dayStart(daysFromCivil(year, month, day)) + hour * 3_600_000 + minute * 60_000 + second * 1000 + millis;
  return { ok: true, ms: ms - offsetMinutes * 60_000 };
}

/** 0000-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z: the instants the output format (docs/api.md#times) can write. */
const MIN_WRITABLE_MS = -62_167_219_200_000;
const MAX_WRITABLE_MS = 253_402_300_799_999;

/** Whether formatUtc can write `ms` in the output format (four-digit years). */
export function isWritableInstant(ms: number): boolean {
  return ms >= MIN_WRITABLE_MS && ms <= MAX_WRITABLE_MS;
}

/** The character code of the digit of `n` at `place` (1000, 100, 10 or 1). */
const digit = (n: number, place: number) => 48 + (Math.floor(n / place) % 10);

/**
 * `YYYY-MM-DDTHH:MM:SSZ`, with `.sss` only when the milliseconds are not zero. Every page writes two per session,
 * and Date's toISOString was a tenth of a GraphQL page's CPU: a writable whole millisecond is computed here
 * (the civil date from days since 1970, after Howard Hinnant's days_from_civil inverse), anything else by Date.
 */
export function formatUtc(ms: number): string {
  if (!Number.isInteger(ms) || !isWritableInstant(ms)) {
    const iso = new Date(ms).toISOString();
    return iso.endsWith('.000Z') ? `${iso.slice(0, -5)}Z` : iso;
  }
  const days = dayOf(ms);
  let rest = ms - dayStart(days);
  const hour = Math.floor(rest / 3_600_000);
  rest -= hour * 3_600_000;
  const minute = Math.floor(rest / 60_000);
  rest -= minute * 60_000;
  const second = Math.floor(rest / 1000);
  const milli = rest - second * 1000;
  // Days since 0000-03-01 in 400-year eras of 146,097 days; a year here starts in March, so February ends it.
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const monthFromMarch = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * monthFromMarch + 2) / 5) + 1;
  const month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  // Written from character codes as one flat string: a template of thirteen parts is a chain of joined
  // strings, flattened again when the answer is serialized (about 450 bytes of garbage per call).
  const y1 = digit(year, 1000), y2 = digit(year, 100), y3 = digit(year, 10), y4 = digit(year, 1);
  const mo1 = digit(month, 10), mo2 = digit(month, 1), d1 = digit(day, 10), d2 = digit(day, 1);
  const h1 = digit(hour, 10), h2 = digit(hour, 1), mi1 = digit(minute, 10), mi2 = digit(minute, 1), s1 = digit(second, 10), s2 = digit(second, 1);
  if (milli === 0) return String.fromCharCode(y1, y2, y3, y4, DASH, mo1, mo2, DASH, d1, d2, T, h1, h2, COLON, mi1, mi2, COLON, s1, s2, Z);
  const f1 = digit(milli, 100), f2 = digit(milli, 10), f3 = digit(milli, 1);
  return String.fromCharCode(y1, y2, y3, y4, DASH, mo1, mo2, DASH, d1, d2, T, h1, h2, COLON, mi1, mi2, COLON, s1, s2, DOT, f1, f2, f3, Z);
}
