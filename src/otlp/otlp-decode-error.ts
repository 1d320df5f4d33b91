/**
 * A body that is not the OTLP export it claims to be: not JSON or not protobuf, the wrong shape where a message
 * is required, a number out of range, or values nested too deeply. The message names the problem and, where it
 * can, the place (e.g. `resourceLogs[0].scopeLogs[1].logRecords[3].attributes[2].value: not an AnyValue`).
 */
export class OtlpDecodeError extends Error {
  override readonly name = 'OtlpDecodeError';
}
