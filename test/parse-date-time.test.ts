import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDateOrDateTime, parseDateTime, type ParsedTime } from '../src/time/iso-time.js';

/** The contract's date-time shape read with a regular expression and Date: the reference the char-code parser must match. */
function byRegExp(input: string, hint: string): ParsedTime {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/.exec(input);
  const malformed: ParsedTime = { ok: false, message: `Not a valid date-time: expected ${hint}.` };
  if (!match) return malformed;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const monthDays = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
  if (month < 1 || month > 12 || day < 1 || day > monthDays || hour > 23 || minute > 59 || second > 59) return malformed;
  const zone = match[8]!;
  let offset = 0;
  if (zone !== 'Z') {
    const zh = Number(zone.slice(1, 3));
    const zm = Number(zone.slice(4, 6));
    if (zh > 23 || zm > 59) return { ok: false, message: `Not a valid UTC offset: ${zone}.` };
    offset = (zone.startsWith('-') ? -1 : 1) * (zh * 60 + zm);
  }
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, Number((match[7] ?? '').slice(0, 3).padEnd(3, '0')));
  return { ok: true, ms: date.getTime() - offset * 60_000 };
}

const HINT = 'YYYY-MM-DDTHH:MM:SS[.fff](Z|±HH:MM)';

const digits = (count: number, max: number) => fc.integer({ min: 0, max }).map((n) => String(n).padStart(count, '0'));

/** Date-times of the right shape, fields often out of range (month 13, day 31 in April, offset +24:00). */
const shaped = fc
  .tuple(
    digits(4, 9999), digits(2, 13), digits(2, 32), digits(2, 24), digits(2, 60), digits(2, 60),
    fc.option(fc.stringMatching(/^[0-9]{1,12}$/), { nil: undefined }),
    fc.oneof(fc.constant('Z'), fc.tuple(fc.constantFrom('+', '-'), digits(2, 25), digits(2, 60)).map(([s, h, m]) => `${s}${h}:${m}`)),
  )
  .map(([y, mo, d, h, mi, s, fraction, zone]) => `${y}-${mo}-${d}T${h}:${mi}:${s}${fraction === undefined ? '' : `.${fraction}`}${zone}`);

/** One character replaced, inserted or removed: lower-case t and z, other digits (Arabic-Indic, full-width), signs, dots. */
const mutated = fc
  .tuple(shaped, fc.nat(), fc.constantFrom('replace', 'insert', 'remove'), fc.constantFrom('t', 'z', 'T', 'Z', '.', ':', '-', '+', ' ', '٣', '３', '0', '9', 'a', '\u0000'))
  .map(([text, at, how, char]) => {
    const i = at % (text.length + 1);
    if (how === 'insert') return text.slice(0, i) + char + text.slice(i);
    if (how === 'remove') return text.slice(0, i) + text.slice(i + 1);
    return text.slice(0, i) + char + text.slice(i + 1);
  });

describe('parseDateTime', () => {
  it('reads every date-time of the shape as the regular expression and Date do, in range or not', () => {
    fc.assert(fc.property(shaped, (text) => {
      expect(parseDateTime(text, HINT)).toEqual(byRegExp(text, HINT));
    }), { numRuns: 20_000 });
  });

  it('refuses what is one character off the shape with the same message, and accepts what still fits it', () => {
    fc.assert(fc.property(mutated, fc.string(), (text, noise) => {
      expect(parseDateTime(text, HINT)).toEqual(byRegExp(text, HINT));
      expect(parseDateTime(noise, HINT)).toEqual(byRegExp(noise, HINT));
    }), { numRuns: 20_000 });
  });

  it('is exact at the edges: year 0000 and 9999, leap days, offsets, fractions finer than a millisecond', () => {
    const cases: [string, number][] = [
      ['0000-01-01T00:00:00Z', -62_167_219_200_000],
      ['9999-12-31T23:59:59.999Z', 253_402_300_799_999],
      ['2024-02-29T12:00:00Z', Date.UTC(2024, 1, 29, 12)],
      ['2000-02-29T00:00:00.5Z', Date.UTC(2000, 1, 29, 0, 0, 0, 500)],
      ['2024-07-01T10:00:00.123456789+02:30', Date.UTC(2024, 6, 1, 7, 30, 0, 123)],
      ['0000-01-01T00:30:00+01:00', -62_167_219_200_000 - 30 * 60_000],
      ['1969-12-31T23:59:59.999-00:00', -1],
    ];
    for (const [text, ms] of cases) expect(parseDateTime(text)).toEqual({ ok: true, ms });
    for (const text of ['1900-02-29T00:00:00Z', '2024-04-31T00:00:00Z', '2024-01-01T24:00:00Z', '2024-01-01T00:00:00.Z', '2024-01-01T00:00:00']) {
      expect(parseDateTime(text, HINT)).toEqual({ ok: false, message: `Not a valid date-time: expected ${HINT}.` });
    }
    expect(parseDateTime('2024-01-01T00:00:00+24:00')).toEqual({ ok: false, message: 'Not a valid UTC offset: +24:00.' });
  });

  it('reads a date alone as its first instant, as Date does, from 0000-01-01 to 9999-12-31', () => {
    fc.assert(fc.property(fc.integer({ min: -719_528, max: 2_932_896 }), (day) => {
      const text = new Date(day * 86_400_000).toISOString().slice(0, 10);
      expect(parseDateOrDateTime(text)).toEqual({ ok: true, ms: day * 86_400_000 });
    }), { numRuns: 20_000 });
    expect(parseDateOrDateTime('2023-02-29').ok).toBe(false);
  });
});
