import { OtlpDecodeError } from './otlp-decode-error.js';
import { boolAt, bytesHexAt, doubleAt, field, int64At, isMessage, listAt, messageAt, stringAt } from './otlp-fields.js';
import type { OtlpAttributes, OtlpValue } from './otlp-records.js';

/**
 * How deeply AnyValues may nest (an attribute's value or a body is level 1, each array or key-value list adds one).
 * Claude Code sends flat values; the bound keeps every walk over a value short, whatever a client sends.
 */
export const MAX_VALUE_DEPTH = 32;

const KINDS = ['stringValue', 'boolValue', 'intValue', 'doubleValue', 'arrayValue', 'kvlistValue', 'bytesValue'] as const;

/** An AnyValue message at `path`, `depth` levels deep. A JSON AnyValue may set at most one of its oneof fields. */
export function anyValueAt(value: unknown, path: string, depth: number): OtlpValue {
  if (depth > MAX_VALUE_DEPTH) throw new OtlpDecodeError(`${path}: values nest more than ${MAX_VALUE_DEPTH} levels deep`);
  if (value === undefined) return { kind: 'empty' };
  if (!isMessage(value)) throw new OtlpDecodeError(`${path}: not an AnyValue`);
  let kind: (typeof KINDS)[number] | undefined;
  let inner: unknown;
  for (const name of KINDS) {
    const candidate = field(value, name);
    if (candidate === undefined) continue;
    if (kind !== undefined) throw new OtlpDecodeError(`${path}: not an AnyValue (sets both ${kind} and ${name})`);
    kind = name;
    inner = candidate;
  }
  switch (kind) {
    case undefined:
      return { kind: 'empty' };
    case 'stringValue':
      return { kind: 'string', value: stringAt(inner, `${path}.stringValue`) };
    case 'boolValue':
      return { kind: 'bool', value: boolAt(inner, `${path}.boolValue`) };
    case 'intValue':
      return { kind: 'int', value: int64At(inner, `${path}.intValue`, false) };
    case 'doubleValue':
      return { kind: 'double', value: doubleAt(inner, `${path}.doubleValue`) };
    case 'bytesValue':
      return { kind: 'bytes', hex: bytesHexAt(inner, `${path}.bytesValue`) };
    case 'arrayValue': {
      const at = `${path}.arrayValue`;
      const list = listAt(field(messageAt(inner, at, 'an ArrayValue'), 'values'), `${at}.values`);
      return { kind: 'array', values: list.map((item, i) => anyValueAt(item, `${at}.values[${i}]`, depth + 1)) };
    }
    case 'kvlistValue': {
      const at = `${path}.kvlistValue`;
      return { kind: 'kvlist', values: attributesAt(field(messageAt(inner, at, 'a KeyValueList'), 'values'), `${at}.values`, depth + 1) };
    }
  }
}

/** A repeated KeyValue as a map; a key given twice keeps its last value. `depth` is the level of the values. */
export function attributesAt(value: unknown, path: string, depth = 1): OtlpAttributes {
  const attributes: OtlpAttributes = new Map();
  const list = listAt(value, path);
  for (let i = 0; i < list.length; i++) {
    const at = `${path}[${i}]`;
    const pair = list[i];
    if (!isMessage(pair)) throw new OtlpDecodeError(`${at}: not a KeyValue`);
    attributes.set(stringAt(field(pair, 'key'), `${at}.key`), anyValueAt(field(pair, 'value'), `${at}.value`, depth));
  }
  return attributes;
}
