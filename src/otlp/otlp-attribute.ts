import { createHash } from 'node:crypto';
import type { OtlpAttributes, OtlpValue } from './otlp-records.js';

// Claude Code has sent the same attribute as a string in one version and a number in the next (numeric attributes of
// api_request and api_error became numbers in v2.1.122; `success` is still the string "true"/"false"), so every
// reader accepts each spelling of its kind and answers null for anything it cannot use.

/** A plain decimal number as text: optional sign, digits, optional fraction, optional exponent. */
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A scalar value as text (strings as they are; integers, doubles and booleans spelled out); null otherwise. */
export function valueText(value: OtlpValue | undefined): string | null {
  switch (value?.kind) {
    case 'string':
    case 'int':
      return value.value;
    case 'double':
      return Number.isFinite(value.value) ? String(value.value) : null;
    case 'bool':
      return value.value ? 'true' : 'false';
    default:
      return null;
  }
}

/** A value as a finite number: intValue, doubleValue, or a string holding a decimal number; null otherwise. */
export function valueNumber(value: OtlpValue | undefined): number | null {
  let n: number;
  switch (value?.kind) {
    case 'int':
    case 'double':
      n = Number(value.value);
      break;
    case 'string': {
      const text = value.value.trim();
      if (!DECIMAL.test(text)) return null;
      n = Number(text);
      break;
    }
    default:
      return null;
  }
  return Number.isFinite(n) ? n : null;
}

/** A value as a boolean: boolValue, or the string "true"/"false" in any case; null otherwise. */
export function valueBoolean(value: OtlpValue | undefined): boolean | null {
  if (value?.kind === 'bool') return value.value;
  if (value?.kind !== 'string') return null;
  const text = value.value.trim().toLowerCase();
  return text === 'true' ? true : text === 'false' ? false : null;
}

/** Attribute `key` as non-empty text; null when absent, empty or not a scalar. */
export function attrText(attributes: OtlpAttributes, key: string): string | null {
  const text = valueText(attributes.get(key));
  return text === null || text === '' ? null : text;
}

/** Attribute `key` as a finite number; null when absent or not a number in any spelling. */
export function attrNumber(attributes: OtlpAttributes, key: string): number | null {
  return valueNumber(attributes.get(key));
}

/** Attribute `key` as a boolean; null when absent or neither true nor false in any spelling. */
export function attrBoolean(attributes: OtlpAttributes, key: string): boolean | null {
  return valueBoolean(attributes.get(key));
}

/** Attribute `key` as a whole number ≥ 0 (a count); null when absent or anything else. */
export function attrCount(attributes: OtlpAttributes, key: string): number | null {
  const n = attrNumber(attributes, key);
  return n !== null && n >= 0 && Number.isSafeInteger(n) ? n : null;
}

/** Scalars are written by their text, so the string `"12"` (old Claude Code) and the number 12 (new) are one value. */
function canonicalValue(value: OtlpValue): unknown {
  switch (value.kind) {
    case 'array':
      return value.values.map(canonicalValue);
    case 'kvlist':
      return canonicalAttributes(value.values);
    case 'bytes':
      return { bytes: value.hex };
    case 'empty':
      return null;
    default:
      return valueText(value);
  }
}

function canonicalAttributes(attributes: OtlpAttributes): [string, unknown][] {
  return [...attributes.keys()].sort().map((key) => [key, canonicalValue(attributes.get(key) as OtlpValue)]);
}

/**
 * A stable hex digest (SHA-256, first `hexChars` digits) of attributes, whatever their order and whichever
 * spelling (string or number, bool or "true") a scalar came in; keys in `without` are left out.
 */
export function attributesDigest(attributes: OtlpAttributes, hexChars = 32, without: readonly string[] = []): string {
  const kept = new Map([...attributes].filter(([key]) => !without.includes(key)));
  return createHash('sha256').update(JSON.stringify(canonicalAttributes(kept))).digest('hex').slice(0, hexChars);
}
