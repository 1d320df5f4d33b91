import type { OtlpAttributes, OtlpLogRecord, OtlpLogs, OtlpValue } from './otlp-records.js';
import { MAX_VALUE_DEPTH } from './otlp-value.js';
import { Unread, WireReader } from './wire-reader.js';

/*
 * Tags (field number << 3 | wire type) of the fields read, per message of opentelemetry-proto (otlp-schema.ts).
 * Any other field is skipped, as protobufjs skips unknown fields and known ones sent with another wire type.
 */
const LENGTH = 2;
const tag = (field: number, wire: number) => (field << 3) | wire;
const FIRST = tag(1, LENGTH);
const SECOND = tag(2, LENGTH);
const THIRD = tag(3, LENGTH);
const RECORD_TIME = tag(1, 1);
const RECORD_OBSERVED_TIME = tag(11, 1);
const RECORD_SEVERITY = tag(2, 0);
const RECORD_SEVERITY_TEXT = tag(3, LENGTH);
const RECORD_BODY = tag(5, LENGTH);
const RECORD_ATTRIBUTE = tag(6, LENGTH);
const RECORD_EVENT_NAME = tag(12, LENGTH);
const VALUE_STRING = tag(1, LENGTH);
const VALUE_BOOL = tag(2, 0);
const VALUE_INT = tag(3, 0);
const VALUE_DOUBLE = tag(4, 1);
const VALUE_ARRAY = tag(5, LENGTH);
const VALUE_KVLIST = tag(6, LENGTH);
const VALUE_BYTES = tag(7, LENGTH);

/**
 * An ExportLogsServiceRequest read straight from its bytes into the gateway's records, or null when the body is
 * not written the plain way (WireReader) or holds what the general decoder must judge: a singular message or a
 * oneof given twice (protobuf merges them), values nested deeper than MAX_VALUE_DEPTH. The general decoder
 * (protobufjs, then logsFromRequest) builds two whole trees before the records; this builds only the records.
 * Whatever it returns, the general decoder returns too (test/read-logs-protobuf.test.ts).
 */
export function readLogsProtobuf(body: Uint8Array): OtlpLogs | null {
  const r = new WireReader(body);
  const resources: ResourceLogs[] = [];
  try {
    while (r.more) {
      const t = r.tag();
      if (t === FIRST) resources.push(resourceLogs(r));
      else r.skip(t);
    }
  } catch (error) {
    if (error instanceof Unread) return null;
    throw error;
  }
  let recordCount = 0;
  for (const resource of resources) for (const scope of resource.scopes) recordCount += scope.records.length;
  return { resources, recordCount };
}

/** Marks a singular field (or a oneof) as read, giving up when it already was: protobuf would merge the two. */
function once(seen: boolean): true {
  if (seen) throw Unread.instance;
  return true;
}

type ResourceLogs = OtlpLogs['resources'][number];
type ScopeLogs = ResourceLogs['scopes'][number];

// Each function below reads one length-delimited message at the reader, its length included.

function resourceLogs(r: WireReader): ResourceLogs {
  const outer = r.enter();
  const resource: ResourceLogs = { attributes: new Map(), scopes: [] };
  let seen = false;
  while (r.more) {
    const t = r.tag();
    if (t === FIRST) {
      seen = once(seen);
      keyValueList(r, resource.attributes, 1);
    } else if (t === SECOND) resource.scopes.push(scopeLogs(r));
    else if (t === THIRD) r.string();
    else r.skip(t);
  }
  r.leave(outer);
  return resource;
}

function scopeLogs(r: WireReader): ScopeLogs {
  const outer = r.enter();
  const scope: ScopeLogs = { name: '', version: '', records: [] };
  let seen = false;
  while (r.more) {
    const t = r.tag();
    if (t === FIRST) {
      seen = once(seen);
      instrumentationScope(r, scope);
    } else if (t === SECOND) scope.records.push(logRecord(r));
    else if (t === THIRD) r.string();
    else r.skip(t);
  }
  r.leave(outer);
  return scope;
}

function instrumentationScope(r: WireReader, scope: ScopeLogs): void {
  const outer = r.enter();
  while (r.more) {
    const t = r.tag();
    if (t === FIRST) scope.name = r.string();
    else if (t === SECOND) scope.version = r.string();
    // Attributes the gateway does not keep, read to the same bounds as kept ones.
    else if (t === THIRD) keyValue(r, new Map(), 1);
    else r.skip(t);
  }
  r.leave(outer);
}

/** A message whose field 1 is a repeated KeyValue (Resource, KeyValueList), read into `into`. */
function keyValueList(r: WireReader, into: OtlpAttributes, depth: number): void {
  const outer = r.enter();
  while (r.more) {
    const t = r.tag();
    if (t === FIRST) keyValue(r, into, depth);
    else r.skip(t);
  }
  r.leave(outer);
}

function logRecord(r: WireReader): OtlpLogRecord {
  const outer = r.enter();
  const record: OtlpLogRecord = { timeUnixNano: '0', observedTimeUnixNano: '0', severityNumber: 0, eventName: '', body: { kind: 'empty' }, attributes: new Map() };
  let bodySeen = false;
  while (r.more) {
    const t = r.tag();
    switch (t) {
      case RECORD_TIME:
        record.timeUnixNano = r.fixed64Text();
        break;
      case RECORD_OBSERVED_TIME:
        record.observedTimeUnixNano = r.fixed64Text();
        break;
      case RECORD_SEVERITY:
        record.severityNumber = r.int32();
        break;
      case RECORD_SEVERITY_TEXT:
        r.string();
        break;
      case RECORD_BODY:
        bodySeen = once(bodySeen);
        record.body = anyValue(r, 1);
        break;
      case RECORD_ATTRIBUTE:
        keyValue(r, record.attributes, 1);
        break;
      case RECORD_EVENT_NAME:
        record.eventName = r.string();
        break;
      default:
        r.skip(t);
    }
  }
  r.leave(outer);
  return record;
}

/** A KeyValue into `into` (a key given twice keeps its last value); its value is `depth` levels deep. */
function keyValue(r: WireReader, into: OtlpAttributes, depth: number): void {
  if (depth > MAX_VALUE_DEPTH) throw Unread.instance;
  const outer = r.enter();
  let key = '';
  let value: OtlpValue = { kind: 'empty' };
  let seen = false;
  while (r.more) {
    const t = r.tag();
    if (t === FIRST) key = r.string();
    else if (t === SECOND) {
      seen = once(seen);
      value = anyValue(r, depth);
    } else r.skip(t);
  }
  r.leave(outer);
  into.set(key, value);
}

function arrayValue(r: WireReader, depth: number): OtlpValue[] {
  const outer = r.enter();
  const values: OtlpValue[] = [];
  while (r.more) {
    const t = r.tag();
    if (t === FIRST) values.push(anyValue(r, depth));
    else r.skip(t);
  }
  r.leave(outer);
  return values;
}

function anyValue(r: WireReader, depth: number): OtlpValue {
  if (depth > MAX_VALUE_DEPTH) throw Unread.instance;
  const outer = r.enter();
  let value: OtlpValue = { kind: 'empty' };
  let seen = false;
  while (r.more) {
    const t = r.tag();
    switch (t) {
      case VALUE_STRING:
        value = { kind: 'string', value: r.string() };
        break;
      case VALUE_BOOL:
        value = { kind: 'bool', value: r.bool() };
        break;
      case VALUE_INT:
        value = { kind: 'int', value: r.int64Text() };
        break;
      case VALUE_DOUBLE:
        value = { kind: 'double', value: r.double() };
        break;
      case VALUE_BYTES:
        value = { kind: 'bytes', hex: r.hex() };
        break;
      case VALUE_ARRAY:
        value = { kind: 'array', values: arrayValue(r, depth + 1) };
        break;
      case VALUE_KVLIST: {
        const values: OtlpAttributes = new Map();
        keyValueList(r, values, depth + 1);
        value = { kind: 'kvlist', values };
        break;
      }
      default:
        r.skip(t);
        continue;
    }
    seen = once(seen);
  }
  r.leave(outer);
  return value;
}
