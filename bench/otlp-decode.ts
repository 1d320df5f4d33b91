// Bench note for decoding OTLP logs exports in protobuf (src/otlp/decode-otlp.ts): the direct reader
// (read-logs-protobuf.ts) against the general decoder it stands in for (protobufjs, then logsFromRequest), in one
// process, on the ingestion scenario's exports (bench/otlp-exports.ts: 1,000 records each), alternating rounds.
// Also a body that turns out malformed at its last byte, where both decoders run (the direct reader first), and the
// same exports as OTLP JSON.
// Run: node --import tsx bench/otlp-decode.ts [rounds]
import { decodeLogs } from '../src/otlp/decode-otlp.js';
import { logsFromRequest } from '../src/otlp/otlp-logs.js';
import { decodeOtlpProtobuf } from '../src/otlp/otlp-protobuf.js';
import { otlpTypes } from '../src/otlp/otlp-schema.js';
import { telemetryFromLogs } from '../src/otlp/telemetry-from-logs.js';
import { median } from './median.js';
import { FreshExports, OTLP_EXPORT_ITEMS } from './otlp-exports.js';

const rounds = Number(process.argv[2] ?? 7);
const exports = new FreshExports(0x10);
const valid = Array.from({ length: 40 }, () => Buffer.from(exports.nextBody()));
// Wire type 7 as the last byte: every record is read before the body is refused.
const malformed = valid.map((body) => Buffer.concat([body, Buffer.from([0x0f])]));
const type = otlpTypes.exportLogsRequest;
const json = valid.map((body) => Buffer.from(JSON.stringify(type.toObject(type.decode(body), { longs: String, enums: Number, bytes: String }))));
const general = (body: Buffer) => logsFromRequest(decodeOtlpProtobuf(body, otlpTypes.exportLogsRequest));
const refused = (decode: () => unknown) => {
  try {
    decode();
  } catch {
    return;
  }
  throw new Error('a malformed body decoded');
};

const cases: [string, Buffer[], (body: Buffer) => unknown][] = [
  ['decodeLogs, then mapped to events', valid, (body) => telemetryFromLogs(decodeLogs(body, 'protobuf'), { previewChars: 2000 })],
  ['general decoder, then mapped to events', valid, (body) => telemetryFromLogs(general(body), { previewChars: 2000 })],
  ['decodeLogs, malformed at the last byte', malformed, (body) => refused(() => decodeLogs(body, 'protobuf'))],
  ['general decoder, malformed at the last byte', malformed, (body) => refused(() => general(body))],
  ['decodeLogs on OTLP JSON, then mapped to events', json, (body) => telemetryFromLogs(decodeLogs(body, 'json'), { previewChars: 2000 })],
];

const times = new Map<string, number[]>(cases.map(([name]) => [name, []]));
for (let round = 0; round < rounds; round++) {
  for (const [name, bodies, decode] of cases) {
    const started = performance.now();
    for (const body of bodies) decode(body);
    times.get(name)!.push(((performance.now() - started) * 1000) / (bodies.length * OTLP_EXPORT_ITEMS));
  }
}
const perRecord = (name: string) => median(times.get(name)!);
console.log(`${new Date().toISOString()}  Node ${process.version}, ${rounds} rounds of ${valid.length} exports of ${OTLP_EXPORT_ITEMS} records (${valid[0]!.length} bytes each), medians`);
for (const [name] of cases) console.log(`${name.padEnd(45)} ${perRecord(name).toFixed(1).padStart(6)} µs per record`);
console.log(`ratio, valid exports: ${(perRecord(cases[1]![0]) / perRecord(cases[0]![0])).toFixed(2)}× faster`);
console.log(`ratio, malformed: ${(perRecord(cases[2]![0]) / perRecord(cases[3]![0])).toFixed(2)}× the general decoder's time`);
