/**
 * OTLP export requests after decoding, the same whatever the encoding (JSON or protobuf): attribute values are
 * plain JavaScript values, 64-bit integers are strings of decimal digits (never rounded), bytes are hex strings.
 */

/** An OTLP AnyValue: string, boolean, integer (as a decimal string), double, array, key-value list, bytes (hex). */
export type OtlpValue =
  | { kind: 'string'; value: string }
  | { kind: 'bool'; value: boolean }
  | { kind: 'int'; value: string }
  | { kind: 'double'; value: number }
  | { kind: 'array'; values: OtlpValue[] }
  | { kind: 'kvlist'; values: OtlpAttributes }
  | { kind: 'bytes'; hex: string }
  | { kind: 'empty' };

/** Attributes by key; a key given twice keeps its last value. */
export type OtlpAttributes = Map<string, OtlpValue>;

export interface OtlpLogRecord {
  /** Nanoseconds since the epoch as a decimal string; '0' when unset. */
  timeUnixNano: string;
  observedTimeUnixNano: string;
  severityNumber: number;
  /** LogRecord.event_name (field 12); '' when unset. */
  eventName: string;
  body: OtlpValue;
  attributes: OtlpAttributes;
}

export interface OtlpLogs {
  resources: {
    attributes: OtlpAttributes;
    scopes: { name: string; version: string; records: OtlpLogRecord[] }[];
  }[];
  /** All records, for the answer's counts. */
  recordCount: number;
}

/** AggregationTemporality: 1 delta, 2 cumulative, 0 unspecified. */
export type Temporality = 0 | 1 | 2;

export interface OtlpNumberPoint {
  attributes: OtlpAttributes;
  startTimeUnixNano: string;
  timeUnixNano: string;
  /** asInt as a decimal string, or asDouble; null when the point has neither. */
  value: { kind: 'int'; value: string } | { kind: 'double'; value: number } | null;
}

export interface OtlpMetric {
  name: string;
  unit: string;
  /** 'sum' and 'gauge' carry number points; other kinds (histograms, summaries) are kept only as a count. */
  kind: 'sum' | 'gauge' | 'other';
  temporality: Temporality;
  monotonic: boolean;
  points: OtlpNumberPoint[];
  /** Data points of any kind, for the answer's counts. */
  pointCount: number;
}

export interface OtlpMetrics {
  resources: {
    attributes: OtlpAttributes;
    scopes: { name: string; version: string; metrics: OtlpMetric[] }[];
  }[];
  pointCount: number;
}
