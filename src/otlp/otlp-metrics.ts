import { OtlpDecodeError } from './otlp-decode-error.js';
import { boolAt, doubleAt, field, int32At, int64At, isMessage, listAt, messageAt, stringAt, type JsonObject } from './otlp-fields.js';
import type { OtlpMetric, OtlpMetrics, OtlpNumberPoint, Temporality } from './otlp-records.js';
import { attributesAt } from './otlp-value.js';

const DATA = ['gauge', 'sum', 'histogram', 'exponentialHistogram', 'summary'] as const;

function numberPointAt(value: unknown, path: string): OtlpNumberPoint {
  if (!isMessage(value)) throw new OtlpDecodeError(`${path}: not a NumberDataPoint`);
  const asDouble = field(value, 'asDouble');
  const asInt = field(value, 'asInt');
  if (asDouble !== undefined && asInt !== undefined) throw new OtlpDecodeError(`${path}: not a NumberDataPoint (sets both asDouble and asInt)`);
  return {
    attributes: attributesAt(field(value, 'attributes'), `${path}.attributes`),
    startTimeUnixNano: int64At(field(value, 'startTimeUnixNano'), `${path}.startTimeUnixNano`, true),
    timeUnixNano: int64At(field(value, 'timeUnixNano'), `${path}.timeUnixNano`, true),
    value:
      asInt !== undefined
        ? { kind: 'int', value: int64At(asInt, `${path}.asInt`, false) }
        : asDouble !== undefined
          ? { kind: 'double', value: doubleAt(asDouble, `${path}.asDouble`) }
          : null,
  };
}

/** AggregationTemporality; a value this schema does not know (proto3 enums are open) counts as unspecified. */
function temporalityAt(data: JsonObject, path: string): Temporality {
  const n = int32At(field(data, 'aggregationTemporality'), `${path}.aggregationTemporality`);
  return n === 1 || n === 2 ? n : 0;
}

function metricAt(value: unknown, path: string): OtlpMetric {
  if (!isMessage(value)) throw new OtlpDecodeError(`${path}: not a Metric`);
  const name = stringAt(field(value, 'name'), `${path}.name`);
  const unit = stringAt(field(value, 'unit'), `${path}.unit`);
  let kind: (typeof DATA)[number] | undefined;
  let inner: unknown;
  for (const candidate of DATA) {
    const data = field(value, candidate);
    if (data === undefined) continue;
    if (kind !== undefined) throw new OtlpDecodeError(`${path}: not a Metric (sets both ${kind} and ${candidate})`);
    kind = candidate;
    inner = data;
  }
  if (kind === undefined) return { name, unit, kind: 'other', temporality: 0, monotonic: false, points: [], pointCount: 0 };
  const at = `${path}.${kind}`;
  const data = messageAt(inner, at, `a ${kind} message`);
  const list = listAt(field(data, 'dataPoints'), `${at}.dataPoints`);
  if (kind === 'sum' || kind === 'gauge') {
    const points = list.map((point, i) => numberPointAt(point, `${at}.dataPoints[${i}]`));
    const sum = kind === 'sum';
    return {
      name,
      unit,
      kind,
      temporality: sum ? temporalityAt(data, at) : 0,
      monotonic: sum ? boolAt(field(data, 'isMonotonic'), `${at}.isMonotonic`) : false,
      points,
      pointCount: points.length,
    };
  }
  // Histograms and summaries are only counted: their points must be messages, their fields are not read.
  list.forEach((point, i) => {
    if (!isMessage(point)) throw new OtlpDecodeError(`${at}.dataPoints[${i}]: not a data point`);
  });
  return { name, unit, kind: 'other', temporality: kind === 'summary' ? 0 : temporalityAt(data, at), monotonic: false, points: [], pointCount: list.length };
}

/** An ExportMetricsServiceRequest (as OTLP JSON or protobufjs' toObject) as the gateway's metrics. */
export function metricsFromRequest(request: unknown): OtlpMetrics {
  if (!isMessage(request)) throw new OtlpDecodeError('the body is not an ExportMetricsServiceRequest object');
  let pointCount = 0;
  const resources = listAt(field(request, 'resourceMetrics'), 'resourceMetrics').map((item, r) => {
    const path = `resourceMetrics[${r}]`;
    if (!isMessage(item)) throw new OtlpDecodeError(`${path}: not a ResourceMetrics`);
    const resource = messageAt(field(item, 'resource'), `${path}.resource`, 'a Resource');
    const scopes = listAt(field(item, 'scopeMetrics'), `${path}.scopeMetrics`).map((scopeItem, s) => {
      const at = `${path}.scopeMetrics[${s}]`;
      if (!isMessage(scopeItem)) throw new OtlpDecodeError(`${at}: not a ScopeMetrics`);
      const scope = messageAt(field(scopeItem, 'scope'), `${at}.scope`, 'an InstrumentationScope');
      const metrics = listAt(field(scopeItem, 'metrics'), `${at}.metrics`).map((metric, i) => metricAt(metric, `${at}.metrics[${i}]`));
      for (const metric of metrics) pointCount += metric.pointCount;
      return { name: stringAt(field(scope, 'name'), `${at}.scope.name`), version: stringAt(field(scope, 'version'), `${at}.scope.version`), metrics };
    });
    return { attributes: attributesAt(field(resource, 'attributes'), `${path}.resource.attributes`), scopes };
  });
  return { resources, pointCount };
}
