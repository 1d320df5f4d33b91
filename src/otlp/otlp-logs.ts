import { field, int32At, int64At, isMessage, listAt, messageAt, stringAt } from './otlp-fields.js';
import { OtlpDecodeError } from './otlp-decode-error.js';
import type { OtlpLogRecord, OtlpLogs } from './otlp-records.js';
import { anyValueAt, attributesAt } from './otlp-value.js';

function logRecordAt(value: unknown, path: string): OtlpLogRecord {
  if (!isMessage(value)) throw new OtlpDecodeError(`${path}: not a LogRecord`);
  return {
    timeUnixNano: int64At(field(value, 'timeUnixNano'), `${path}.timeUnixNano`, true),
    observedTimeUnixNano: int64At(field(value, 'observedTimeUnixNano'), `${path}.observedTimeUnixNano`, true),
    severityNumber: int32At(field(value, 'severityNumber'), `${path}.severityNumber`),
    eventName: stringAt(field(value, 'eventName'), `${path}.eventName`),
    body: anyValueAt(field(value, 'body'), `${path}.body`, 1),
    attributes: attributesAt(field(value, 'attributes'), `${path}.attributes`),
  };
}

/** An ExportLogsServiceRequest (as OTLP JSON or protobufjs' toObject) as the gateway's records. */
export function logsFromRequest(request: unknown): OtlpLogs {
  if (!isMessage(request)) throw new OtlpDecodeError('the body is not an ExportLogsServiceRequest object');
  let recordCount = 0;
  const resources = listAt(field(request, 'resourceLogs'), 'resourceLogs').map((item, r) => {
    const path = `resourceLogs[${r}]`;
    if (!isMessage(item)) throw new OtlpDecodeError(`${path}: not a ResourceLogs`);
    const resource = messageAt(field(item, 'resource'), `${path}.resource`, 'a Resource');
    const scopes = listAt(field(item, 'scopeLogs'), `${path}.scopeLogs`).map((scopeItem, s) => {
      const at = `${path}.scopeLogs[${s}]`;
      if (!isMessage(scopeItem)) throw new OtlpDecodeError(`${at}: not a ScopeLogs`);
      const scope = messageAt(field(scopeItem, 'scope'), `${at}.scope`, 'an InstrumentationScope');
      const records = listAt(field(scopeItem, 'logRecords'), `${at}.logRecords`).map((record, i) => logRecordAt(record, `${at}.logRecords[${i}]`));
      recordCount += records.length;
      return { name: stringAt(field(scope, 'name'), `${at}.scope.name`), version: stringAt(field(scope, 'version'), `${at}.scope.version`), records };
    });
    return { attributes: attributesAt(field(resource, 'attributes'), `${path}.resource.attributes`), scopes };
  });
  return { resources, recordCount };
}
