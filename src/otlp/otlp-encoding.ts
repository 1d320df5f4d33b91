/** How an OTLP/HTTP body is encoded, by its Content-Type: application/json or application/x-protobuf. */
export type OtlpEncoding = 'json' | 'protobuf';
