// The direct reader of protobuf logs exports (src/otlp/read-logs-protobuf.ts) against the general decoder it stands
// in for (protobufjs, then logsFromRequest): every export protobufjs writes, Claude Code's among them, is read
// directly to the general decoder's records; what protobuf merges, and anything malformed, it leaves to the general
// decoder (null), whose records or error decodeLogs then answers with.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeLogs } from '../src/otlp/decode-otlp.js';
import { logsFromRequest } from '../src/otlp/otlp-logs.js';
import { decodeOtlpProtobuf } from '../src/otlp/otlp-protobuf.js';
import type { OtlpLogs } from '../src/otlp/otlp-records.js';
import { otlpTypes } from '../src/otlp/otlp-schema.js';
import { MAX_VALUE_DEPTH } from '../src/otlp/otlp-value.js';
import { readLogsProtobuf } from '../src/otlp/read-logs-protobuf.js';
import { anyValueJson } from './support/otlp-arbitraries.js';
import { claudeCodeLogs, toProtobufBody, type AnyValueJson, type LogsRequestJson } from './support/otlp-payloads.js';
import { fixed64, keyValue, len, logsWithBody, nestedArrayBytes, tag, text, vint } from './support/protobuf-wire.js';

function general(bytes: Uint8Array): OtlpLogs {
  return logsFromRequest(decodeOtlpProtobuf(bytes, otlpTypes.exportLogsRequest));
}

/** Records with every Map as its entries in order, so that comparing them also compares the order of keys. */
function inOrder(value: unknown): unknown {
  if (value instanceof Map) return { entries: [...value].map(([k, v]) => [k, inOrder(v)]) };
  if (Array.isArray(value)) return value.map(inOrder);
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, inOrder(v)]));
  return value;
}

/** What decoding answers: the records in order, or the error's message. */
function outcome(decode: () => OtlpLogs): unknown {
  try {
    return { records: inOrder(decode()) };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

function expectReadDirectly(bytes: Uint8Array): OtlpLogs {
  const direct = readLogsProtobuf(bytes);
  expect(direct, 'read directly').not.toBeNull();
  expect(inOrder(direct)).toEqual(inOrder(general(bytes)));
  return direct!;
}

function expectLeftToGeneral(bytes: Uint8Array): void {
  expect(readLogsProtobuf(bytes)).toBeNull();
  expect(outcome(() => decodeLogs(bytes, 'protobuf'))).toEqual(outcome(() => general(bytes)));
}

/** A logs export of one record made of `record` (bytes of LogRecord fields). */
const exportOf = (record: number[]) => Buffer.from(len(1, len(2, len(2, record))));

const anyText = fc.string({ unit: 'grapheme', maxLength: 12 });
const keyValues = fc.array(fc.record({ key: anyText, value: anyValueJson }, { requiredKeys: ['key'] }), { maxLength: 4 });
const hexBytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n }).map((b) => Buffer.from(b).toString('hex'));
const unsigned64 = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map(String);

const logRecord = fc.record(
  {
    timeUnixNano: unsigned64,
    observedTimeUnixNano: unsigned64,
    severityNumber: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    severityText: anyText,
    eventName: anyText,
    body: anyValueJson,
    attributes: keyValues,
    droppedAttributesCount: fc.nat(),
    flags: fc.nat(),
    traceId: hexBytes(16),
    spanId: hexBytes(8),
  },
  { requiredKeys: [] },
);

const scopeLogs = fc.record(
  {
    scope: fc.record({ name: anyText, version: anyText, attributes: keyValues, droppedAttributesCount: fc.nat() }, { requiredKeys: [] }),
    logRecords: fc.array(logRecord, { maxLength: 4 }),
    schemaUrl: anyText,
  },
  { requiredKeys: [] },
);

const logsRequest = fc.record({
  resourceLogs: fc.array(
    fc.record(
      { resource: fc.record({ attributes: keyValues, droppedAttributesCount: fc.nat() }, { requiredKeys: [] }), scopeLogs: fc.array(scopeLogs, { maxLength: 3 }), schemaUrl: anyText },
      { requiredKeys: [] },
    ),
    { maxLength: 3 },
  ),
}) as fc.Arbitrary<LogsRequestJson>;

describe('exports written the plain way are read directly, to the records the general decoder makes', () => {
  it('property: any export protobufjs writes, every field and value kind', () => {
    fc.assert(fc.property(logsRequest, (request) => void expectReadDirectly(toProtobufBody(request))), { numRuns: 300 });
  });

  it('property: two exports one after the other read as one (repeated fields append)', () => {
    fc.assert(
      fc.property(logsRequest, logsRequest, (first, second) => {
        const logs = expectReadDirectly(Buffer.concat([toProtobufBody(first), toProtobufBody(second)]));
        expect(logs.resources).toHaveLength(first.resourceLogs.length + second.resourceLogs.length);
      }),
      { numRuns: 100 },
    );
  });

  it("Claude Code's exports, both attribute styles, one to three prompts", () => {
    for (const style of ['old', 'new'] as const) {
      for (let seed = 1; seed <= 6; seed++) {
        const logs = expectReadDirectly(toProtobufBody(claudeCodeLogs({ seed, style, prompts: 1 + (seed % 3) })));
        expect(logs.recordCount).toBeGreaterThan(0);
      }
    }
  });

  it('unknown fields of wire types 0, 1, 2 and 5, and a known field sent with another wire type, are skipped', () => {
    const logs = expectReadDirectly(exportOf([...vint(20, 1n), ...fixed64(21, 7n), ...text(22, 'x'), ...tag(23, 5), 1, 2, 3, 4, ...vint(12, 5n), ...text(12, 'kept')]));
    expect(logs.resources[0]!.scopes[0]!.records[0]!.eventName).toBe('kept');
  });

  it(`values ${MAX_VALUE_DEPTH} levels deep`, () => {
    expect(expectReadDirectly(logsWithBody(nestedArrayBytes(MAX_VALUE_DEPTH))).resources[0]!.scopes[0]!.records[0]!.body.kind).toBe('array');
  });
});

describe('what protobuf merges, or the plain way does not write, is left to the general decoder', () => {
  const arrayOf = (s: string) => len(5, len(1, text(1, s)));

  it('a body given twice: protobuf merges the two, and decodeLogs answers the merged array', () => {
    const bytes = exportOf([...len(5, arrayOf('a')), ...len(5, arrayOf('b'))]);
    expectLeftToGeneral(bytes);
    expect(decodeLogs(bytes, 'protobuf').resources[0]!.scopes[0]!.records[0]!.body).toEqual({
      kind: 'array',
      values: [{ kind: 'string', value: 'a' }, { kind: 'string', value: 'b' }],
    });
  });

  it('an AnyValue setting two members of its oneof: the last one holds', () => {
    const bytes = exportOf(len(6, keyValue('k', [...text(1, 'first'), ...vint(3, 2n)])));
    expectLeftToGeneral(bytes);
    expect(decodeLogs(bytes, 'protobuf').resources[0]!.scopes[0]!.records[0]!.attributes.get('k')).toEqual({ kind: 'int', value: '2' });
  });

  it('a KeyValue, a resource and a scope given twice', () => {
    expectLeftToGeneral(exportOf(len(6, [...text(1, 'k'), ...len(2, text(1, 'a')), ...len(2, arrayOf('b'))])));
    expectLeftToGeneral(Buffer.from(len(1, [...len(1, len(1, keyValue('a', text(1, 'x')))), ...len(1, len(1, keyValue('b', text(1, 'y'))))])));
    expectLeftToGeneral(Buffer.from(len(1, len(2, [...len(1, text(1, 'one')), ...len(1, text(2, 'v'))]))));
  });

  it('a group among unknown fields, and a negative severity (ten bytes)', () => {
    expectLeftToGeneral(exportOf([...tag(20, 3), ...vint(1, 1n), ...tag(20, 4), ...text(12, 'after')]));
    expectLeftToGeneral(exportOf(vint(2, -1n)));
  });

  it(`values ${MAX_VALUE_DEPTH + 1} levels deep, and 100,000: the general decoder's errors`, () => {
    for (const levels of [MAX_VALUE_DEPTH + 1, 100_000]) expectLeftToGeneral(logsWithBody(nestedArrayBytes(levels)));
    expect(() => decodeLogs(logsWithBody(nestedArrayBytes(MAX_VALUE_DEPTH + 1)), 'protobuf')).toThrow(/values nest more than 32 levels deep/);
  });

  it(`a key without a value in a key-value list ${MAX_VALUE_DEPTH} levels deep (its value would be one level deeper)`, () => {
    let value: AnyValueJson = { kvlistValue: { values: [{ key: 'no value' }] } };
    for (let level = 2; level <= MAX_VALUE_DEPTH; level++) value = { kvlistValue: { values: [{ key: `k${level}`, value }] } };
    const bytes = toProtobufBody({ resourceLogs: [{ scopeLogs: [{ logRecords: [{ body: value }] }] }] });
    expectLeftToGeneral(bytes);
    expect(() => decodeLogs(bytes, 'protobuf')).toThrow(/values nest more than 32 levels deep/);
  });

  it('a string that is not UTF-8, in a field the gateway keeps (event_name) or not (severity_text), is refused', () => {
    for (const field of [12, 3]) {
      const bytes = exportOf(len(field, [0xc3, 0x28]));
      expectLeftToGeneral(bytes);
      expect(() => decodeLogs(bytes, 'protobuf')).toThrow(/^the body is not a protobuf ExportLogsServiceRequest/);
    }
  });

  it('a length or a tag of five bytes reaching 2^31, and a length prefix of more than five bytes', () => {
    expectLeftToGeneral(Buffer.from([...tag(1, 2), 0x80, 0x80, 0x80, 0x80, 0x08]));
    expectLeftToGeneral(Buffer.from([0x8a, 0x80, 0x80, 0x80, 0x08, 0x00]));
    expectLeftToGeneral(Buffer.from([...tag(1, 2), 0x80, 0x80, 0x80, 0x80, 0x80, 0x00]));
  });

  it('scope attributes, which the gateway does not keep, are read to the same bounds: a key that is not UTF-8', () => {
    expectLeftToGeneral(Buffer.from(len(1, len(2, len(1, len(3, len(1, [0xc3, 0x28])))))));
  });

  const real = toProtobufBody(claudeCodeLogs({ seed: 9, prompts: 2 }));

  it('property: a real export with bytes changed, inserted or cut: read directly only as the general decoder reads it', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }), op: fc.constantFrom('set', 'insert', 'cut') }), { minLength: 1, maxLength: 4 }),
        (edits) => {
          let bytes = Buffer.from(real);
          for (const { at, byte, op } of edits) {
            const i = at % (bytes.length + 1);
            if (op === 'set' && i < bytes.length) bytes[i] = byte;
            else if (op === 'insert') bytes = Buffer.concat([bytes.subarray(0, i), Buffer.from([byte]), bytes.subarray(i)]);
            else bytes = bytes.subarray(0, i);
          }
          const expected = outcome(() => general(bytes));
          const direct = readLogsProtobuf(bytes);
          if (direct !== null) expect({ records: inOrder(direct) }).toEqual(expected);
          expect(outcome(() => decodeLogs(bytes, 'protobuf'))).toEqual(expected);
        },
      ),
      { numRuns: 1000 },
    );
  });
});
