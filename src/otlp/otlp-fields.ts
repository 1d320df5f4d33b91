import { ExactNumber, InexactNumberError } from './exact-number.js';
import { OtlpDecodeError } from './otlp-decode-error.js';

/*
 * Readers for the fields of an OTLP message given as a JavaScript value: OTLP JSON after JSON.parse, or a protobuf
 * message after protobufjs' toObject (which has the same shape: lowerCamelCase keys, 64-bit integers as strings,
 * bytes as base64). Absent and null fields read as their proto3 default; a present field of the wrong type throws
 * an OtlpDecodeError naming `path`.
 */

export type JsonObject = Record<string, unknown>;

export function isMessage(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof ExactNumber);
}

/** A field of a message: own properties only (a JSON key "constructor" is not Object.prototype's), null as absent. */
export function field(message: JsonObject, name: string): unknown {
  if (!Object.hasOwn(message, name)) return undefined;
  const value = message[name];
  return value === null ? undefined : value;
}

export function messageAt(value: unknown, path: string, what: string): JsonObject {
  if (value === undefined) return {};
  if (!isMessage(value)) throw new OtlpDecodeError(`${path}: not ${what}`);
  return value;
}

export function listAt(value: unknown, path: string): unknown[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new OtlpDecodeError(`${path}: not an array`);
  return value;
}

export function stringAt(value: unknown, path: string): string {
  if (value === undefined) return '';
  if (typeof value !== 'string') throw new OtlpDecodeError(`${path}: not a string`);
  return value;
}

export function boolAt(value: unknown, path: string): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') throw new OtlpDecodeError(`${path}: not a boolean`);
  return value;
}

const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;
const FRACTION = Symbol('fraction');

/** The exact integer a decimal literal (JSON number syntax) stands for, FRACTION when it has one, null if not one. */
function exactInteger(text: string): bigint | typeof FRACTION | null {
  const match = DECIMAL.exec(text);
  if (match === null) return null;
  const [, sign, whole = '', fraction = '', exponent = '0'] = match;
  let digits = (whole + fraction).replace(/^0+/, '');
  if (digits === '') return 0n;
  const significant = digits.replace(/0+$/, '');
  const scale = Number(exponent) - fraction.length + (digits.length - significant.length);
  digits = significant;
  if (scale < 0) return FRACTION;
  // Beyond 20 digits every 64-bit range is exceeded: stop before computing a huge power of ten.
  if (digits.length + scale > 20) return sign === '-' ? -(10n ** 21n) : 10n ** 21n;
  const magnitude = BigInt(digits) * 10n ** BigInt(scale);
  return sign === '-' ? -magnitude : magnitude;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

/**
 * A 64-bit integer (int64, or fixed64 when `unsigned`) as its canonical decimal string: from a decimal string or
 * a JSON number (OTLP JSON allows both; OTel-JS sends attribute integers as numbers). A JSON number beyond 2^53 in
 * a body parsed without sources throws InexactNumberError, for the caller to parse again keeping them.
 */
export function int64At(value: unknown, path: string, unsigned: boolean): string {
  if (value === undefined) return '0';
  const what = unsigned ? 'an unsigned 64-bit integer' : 'a 64-bit integer';
  let exact: bigint | typeof FRACTION | null;
  if (typeof value === 'number') {
    if (Number.isSafeInteger(value)) {
      if (unsigned && value < 0) throw new OtlpDecodeError(`${path}: not ${what}`);
      return String(value);
    }
    if (Number.isInteger(value)) throw new InexactNumberError(path);
    throw new OtlpDecodeError(`${path}: not ${what}`);
  }
  if (value instanceof ExactNumber) exact = exactInteger(value.source);
  else if (typeof value === 'string') exact = exactInteger(value);
  else throw new OtlpDecodeError(`${path}: not ${what}`);
  if (exact === null || exact === FRACTION) throw new OtlpDecodeError(`${path}: not ${what}`);
  if (unsigned ? exact < 0n || exact > UINT64_MAX : exact < INT64_MIN || exact > INT64_MAX) {
    throw new OtlpDecodeError(`${path}: ${what} out of range`);
  }
  return exact.toString();
}

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/** An int32 or an enum: OTLP JSON sends enums as integers only, never by name. */
export function int32At(value: unknown, path: string): number {
  if (value === undefined) return 0;
  const n = value instanceof ExactNumber ? value.value : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < INT32_MIN || n > INT32_MAX) {
    throw new OtlpDecodeError(`${path}: not a 32-bit integer`);
  }
  return n;
}

const SPECIAL_DOUBLES: Readonly<Record<string, number>> = { NaN: Number.NaN, Infinity: Number.POSITIVE_INFINITY, '-Infinity': Number.NEGATIVE_INFINITY };

/** A double: a JSON number, or a string holding one or NaN/Infinity/-Infinity (the proto3 JSON mapping). */
export function doubleAt(value: unknown, path: string): number {
  if (value === undefined) return 0;
  if (typeof value === 'number') return value;
  if (value instanceof ExactNumber) return value.value;
  if (typeof value === 'string') {
    const special = Object.hasOwn(SPECIAL_DOUBLES, value) ? SPECIAL_DOUBLES[value] : undefined;
    if (special !== undefined) return special;
    if (DECIMAL.test(value)) return Number(value);
  }
  throw new OtlpDecodeError(`${path}: not a double`);
}

const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

/** Bytes sent as base64 (standard or URL-safe alphabet, padding optional), as lowercase hex. */
export function bytesHexAt(value: unknown, path: string): string {
  if (value === undefined) return '';
  if (typeof value !== 'string' || !BASE64.test(value) || value.replace(/=+$/, '').length % 4 === 1) {
    throw new OtlpDecodeError(`${path}: not base64 bytes`);
  }
  return Buffer.from(value, 'base64').toString('hex');
}
