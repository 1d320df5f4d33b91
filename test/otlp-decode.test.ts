// OTLP/HTTP bodies (src/otlp/decode-otlp.ts): both encodings decode Claude Code's exports to the same records,
// 64-bit integers keep every digit, every AnyValue kind survives, field numbers match upstream opentelemetry-proto
// (bodies written byte by byte here, without our schema), anything else is refused as an OtlpDecodeError and never
// as any other error, nesting is bounded, and answers round-trip through protobufjs.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeLogs, decodeMetrics } from '../src/otlp/decode-otlp.js';
import { encodeExportAnswer, encodeFailure, type OtlpEncoding } from '../src/otlp/encode-otlp-answer.js';
import { OtlpDecodeError } from '../src/otlp/otlp-decode-error.js';
import type { OtlpAttributes, OtlpLogs, OtlpValue } from '../src/otlp/otlp-records.js';
import { otlpTypes } from '../src/otlp/otlp-schema.js';
import { MAX_VALUE_DEPTH } from '../src/otlp/otlp-value.js';
import {
  claudeCodeLogs,
  claudeCodeMetrics,
  EVENTS_SCOPE,
  toJsonBody,
  toProtobufBody,
  type AnyValueJson,
  type KeyValueJson,
  type LogsRequestJson,
} from './support/otlp-payloads.js';
import { anyValueJson } from './support/otlp-arbitraries.js';
import { body, double, fixed64, keyValue, len, logsWithBody, nestedArrayBytes, tag, text, varint, vint } from './support/protobuf-wire.js';

// --- JSON building ---

function jsonNested(levels: number, kind: 'array' | 'kvlist'): AnyValueJson {
  let value: AnyValueJson = { stringValue: 'x' };
  for (let i = 1; i < levels; i++) {
    value = kind === 'array' ? { arrayValue: { values: [value] } } : { kvlistValue: { values: [{ key: `k${i}`, value }] } };
  }
  return value;
}

function logsWithAttributes(attributes: KeyValueJson[], record: Record<string, unknown> = {}): LogsRequestJson {
  return { resourceLogs: [{ scopeLogs: [{ scope: { name: EVENTS_SCOPE }, logRecords: [{ attributes, ...record }] }] }] };
}

function metricsWithPointAttributes(attributes: KeyValueJson[]) {
  return {
    resourceMetrics: [
      { scopeMetrics: [{ metrics: [{ name: 'm', sum: { aggregationTemporality: 1, isMonotonic: true, dataPoints: [{ attributes, asInt: '1' }] } }] }] },
    ],
  };
}

function firstRecord(logs: OtlpLogs) {
  return logs.resources[0]!.scopes[0]!.records[0]!;
}

function decodeError(run: () => unknown): OtlpDecodeError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(OtlpDecodeError);
    return error as OtlpDecodeError;
  }
  throw new Error('expected an OtlpDecodeError, the body decoded');
}

/** 'ok', or 'refused' for an OtlpDecodeError; any other error fails the property. */
function outcome(run: () => unknown): 'ok' | 'refused' {
  try {
    run();
    return 'ok';
  } catch (error) {
    if (error instanceof OtlpDecodeError) return 'refused';
    throw error;
  }
}

const ENCODINGS: OtlpEncoding[] = ['json', 'protobuf'];

describe('Claude Code exports decode the same in both encodings', () => {
  const logVariants = [
    { style: 'new', jsonInts: 'number' },
    { style: 'new', jsonInts: 'string' },
    { style: 'old' },
  ] as const;

  it.each(logVariants)('logs %o', (variant) => {
    const request = claudeCodeLogs({ ...variant, prompts: 3, seed: 7 });
    const fromJson = decodeLogs(toJsonBody(request), 'json');
    const fromProtobuf = decodeLogs(toProtobufBody(request), 'protobuf');
    expect(fromProtobuf).toEqual(fromJson);

    expect(fromJson.recordCount).toBe(33);
    const resource = fromJson.resources[0]!;
    expect(resource.attributes.get('service.name')).toEqual({ kind: 'string', value: 'claude-code' });
    expect(resource.scopes[0]!.name).toBe(EVENTS_SCOPE);
    const records = resource.scopes[0]!.records;
    expect(records.map((r) => r.body)).toContainEqual({ kind: 'string', value: 'claude_code.api_request' });
    expect(records[0]!.eventName).toBe('claude_code.user_prompt');
    expect(records[1]!.eventName).toBe('');
    expect(records[0]!.timeUnixNano).toMatch(/^17684712\d{11}$/);
    const api = records.filter((r) => r.attributes.get('event.name')?.kind === 'string' && (r.attributes.get('event.name') as { value: string }).value === 'api_request');
    expect(api).toHaveLength(6);
    const zeroCost = api[1]!.attributes.get('cost_usd');
    const sequence = records[4]!.attributes.get('event.sequence');
    if (variant.style === 'old') {
      expect(zeroCost).toEqual({ kind: 'string', value: '0' });
      expect(sequence).toEqual({ kind: 'string', value: '4' });
    } else {
      // OTel-JS: an integral number, even a cost of 0, is an intValue.
      expect(zeroCost).toEqual({ kind: 'int', value: '0' });
      expect(sequence).toEqual({ kind: 'int', value: '4' });
      expect(api[0]!.attributes.get('cost_usd')?.kind).toBe('double');
    }
    expect(records[10]!.attributes.get('something_new')).toEqual({ kind: 'kvlist', values: new Map([['nested', { kind: 'bool', value: true }]]) });
  });

  it.each([
    { temporality: 1, counts: 'asInt', jsonInts: 'number' },
    { temporality: 2, counts: 'asInt', jsonInts: 'string' },
    { temporality: 1, counts: 'asDouble' },
  ] as const)('metrics %o', (variant) => {
    const request = claudeCodeMetrics({ ...variant, seed: 3 });
    const fromJson = decodeMetrics(toJsonBody(request), 'json');
    const fromProtobuf = decodeMetrics(toProtobufBody(request), 'protobuf');
    expect(fromProtobuf).toEqual(fromJson);

    const metrics = fromJson.resources[0]!.scopes[0]!.metrics;
    expect(metrics.map((m) => m.name)).toEqual([
      'claude_code.session.count',
      'claude_code.token.usage',
      'claude_code.cost.usage',
      'claude_code.active_time.total',
      'claude_code.lines_of_code.count',
      'claude_code.commit.count',
      'claude_code.pull_request.count',
      'claude_code.future.widgets',
      'claude_code.api.duration',
    ]);
    expect(fromJson.pointCount).toBe(1 + 4 + 1 + 2 + 2 + 1 + 1 + 1 + 1);
    const tokens = metrics[1]!;
    expect(tokens).toMatchObject({ kind: 'sum', unit: 'tokens', temporality: variant.temporality, monotonic: true, pointCount: 4 });
    expect(tokens.points[0]!.value?.kind).toBe(variant.counts === 'asDouble' ? 'double' : 'int');
    expect(tokens.points[0]!.attributes.get('type')).toEqual({ kind: 'string', value: 'input' });
    expect(tokens.points[0]!.attributes.get('session.id')?.kind).toBe('string');
    expect(metrics[2]!.points[0]!.value).toEqual({ kind: 'double', value: 0.0123456 });
    expect(metrics[7]).toMatchObject({ kind: 'gauge', temporality: 0, monotonic: false, pointCount: 1 });
    expect(metrics[8]).toMatchObject({ kind: 'other', temporality: variant.temporality, points: [], pointCount: 1 });
  });
});

describe('64-bit integers keep every digit', () => {
  const cases: [string, string][] = [
    ['9007199254740993', '9007199254740993'],
    ['-9223372036854775808', '-9223372036854775808'],
    ['9223372036854775807', '9223372036854775807'],
    ['0', '0'],
    ['-0', '0'],
    ['1e3', '1000'],
    ['12.000', '12'],
    ['0009', '9'],
  ];

  it.each(cases)('intValue %s as a string, a JSON number and protobuf', (literal, expected) => {
    const asString = `{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"attributes":[{"key":"n","value":{"intValue":"${literal}"}}]}]}]}]}`;
    expect(firstRecord(decodeLogs(Buffer.from(asString), 'json')).attributes.get('n')).toEqual({ kind: 'int', value: expected });
    if (!literal.startsWith('00')) {
      const asNumber = asString.replace(`"${literal}"`, literal);
      expect(firstRecord(decodeLogs(Buffer.from(asNumber), 'json')).attributes.get('n')).toEqual({ kind: 'int', value: expected });
    }
    const proto = logsWithBody(Buffer.from(vint(3, BigInt(expected))));
    expect(firstRecord(decodeLogs(proto, 'protobuf')).body).toEqual({ kind: 'int', value: expected });
  });

  it('an unsafe JSON number elsewhere in the body does not disturb the other values', () => {
    const raw = `{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"timeUnixNano":18446744073709551615,"attributes":[{"key":"n","value":{"intValue":9007199254740993}},{"key":"d","value":{"doubleValue":0.1}},{"key":"s","value":{"intValue":5}}]}]}]}]}`;
    const record = firstRecord(decodeLogs(Buffer.from(raw), 'json'));
    expect(record.timeUnixNano).toBe('18446744073709551615');
    expect(record.attributes.get('n')).toEqual({ kind: 'int', value: '9007199254740993' });
    expect(record.attributes.get('d')).toEqual({ kind: 'double', value: 0.1 });
    expect(record.attributes.get('s')).toEqual({ kind: 'int', value: '5' });
  });

  it('fixed64 times and sfixed64 points, written byte by byte, decode exactly', () => {
    const point = [...len(7, keyValue('session.id', text(1, 's1'))), ...fixed64(2, 1n), ...fixed64(3, 18446744073709551615n), ...fixed64(6, -9007199254740993n)];
    const sum = [...len(1, point), ...vint(2, 2n), ...vint(3, 1n)];
    const metric = [...text(1, 'claude_code.token.usage'), ...text(3, 'tokens'), ...len(7, sum)];
    const bytes = len(1, len(2, [...len(1, [...text(1, 'com.anthropic.claude_code'), ...text(2, '2.1.239')]), ...len(2, metric)]));
    const metrics = decodeMetrics(body(bytes), 'protobuf');
    const scope = metrics.resources[0]!.scopes[0]!;
    expect(scope).toMatchObject({ name: 'com.anthropic.claude_code', version: '2.1.239' });
    expect(scope.metrics[0]).toMatchObject({ name: 'claude_code.token.usage', unit: 'tokens', kind: 'sum', temporality: 2, monotonic: true, pointCount: 1 });
    expect(scope.metrics[0]!.points[0]).toEqual({
      attributes: new Map([['session.id', { kind: 'string', value: 's1' }]]),
      startTimeUnixNano: '1',
      timeUnixNano: '18446744073709551615',
      value: { kind: 'int', value: '-9007199254740993' },
    });
    const doublePoint = len(1, [...double(4, 2.5)]);
    const gauge = [...text(1, 'g'), ...len(5, doublePoint)];
    const g = decodeMetrics(body(len(1, len(2, len(2, gauge)))), 'protobuf').resources[0]!.scopes[0]!.metrics[0]!;
    expect(g).toMatchObject({ kind: 'gauge', points: [{ value: { kind: 'double', value: 2.5 } }] });
  });

  it('refuses integers out of range or with a fraction', () => {
    const attr = (raw: string) => Buffer.from(`{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"attributes":[{"key":"n","value":{"intValue":${raw}}}]}]}]}]}`);
    for (const raw of ['"9223372036854775808"', '9223372036854775808', '-9223372036854775809', '1.5', '"1.5"', '"12abc"', '""', '1e400', 'true', '"0x10"']) {
      expect(decodeError(() => decodeLogs(attr(raw), 'json')).message, raw).toMatch(/^resourceLogs\[0\]\.scopeLogs\[0\]\.logRecords\[0\]\.attributes\[0\]\.value\.intValue: (not a 64-bit integer|a 64-bit integer out of range)$/);
    }
    const time = (raw: string) => Buffer.from(`{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"timeUnixNano":${raw}}]}]}]}`);
    expect(decodeError(() => decodeLogs(time('"-1"'), 'json')).message).toContain('timeUnixNano: an unsigned 64-bit integer out of range');
    expect(decodeError(() => decodeLogs(time('18446744073709551616'), 'json')).message).toContain('out of range');
  });
});

describe('every AnyValue kind', () => {
  const values: [string, AnyValueJson, OtlpValue][] = [
    ['string', { stringValue: 'héllo' }, { kind: 'string', value: 'héllo' }],
    ['empty string', { stringValue: '' }, { kind: 'string', value: '' }],
    ['bool', { boolValue: true }, { kind: 'bool', value: true }],
    ['false', { boolValue: false }, { kind: 'bool', value: false }],
    ['int', { intValue: '-42' }, { kind: 'int', value: '-42' }],
    ['double', { doubleValue: 0.1 }, { kind: 'double', value: 0.1 }],
    ['zero double', { doubleValue: 0 }, { kind: 'double', value: 0 }],
    ['NaN', { doubleValue: 'NaN' }, { kind: 'double', value: Number.NaN }],
    ['Infinity', { doubleValue: 'Infinity' }, { kind: 'double', value: Number.POSITIVE_INFINITY }],
    ['-Infinity', { doubleValue: '-Infinity' }, { kind: 'double', value: Number.NEGATIVE_INFINITY }],
    ['bytes', { bytesValue: Buffer.from([0, 1, 254, 255]).toString('base64') }, { kind: 'bytes', hex: '0001feff' }],
    ['empty bytes', { bytesValue: '' }, { kind: 'bytes', hex: '' }],
    ['empty', {}, { kind: 'empty' }],
    [
      'array',
      { arrayValue: { values: [{ stringValue: 'a' }, { intValue: 1 }, {}] } },
      { kind: 'array', values: [{ kind: 'string', value: 'a' }, { kind: 'int', value: '1' }, { kind: 'empty' }] },
    ],
    ['empty array', { arrayValue: {} }, { kind: 'array', values: [] }],
    [
      'kvlist',
      { kvlistValue: { values: [{ key: 'a', value: { boolValue: false } }, { key: 'b' }, { key: 'a', value: { stringValue: 'last' } }] } },
      { kind: 'kvlist', values: new Map<string, OtlpValue>([['a', { kind: 'string', value: 'last' }], ['b', { kind: 'empty' }]]) },
    ],
  ];

  it.each(values)('%s, as an attribute and as a body, in both encodings', (_name, json, expected) => {
    const request = logsWithAttributes([{ key: 'v', value: json }], { body: json });
    for (const encoding of ENCODINGS) {
      const bytes = encoding === 'json' ? toJsonBody(request) : toProtobufBody(request);
      const record = firstRecord(decodeLogs(bytes, encoding));
      expect(record.attributes.get('v'), encoding).toEqual(expected);
      expect(record.body, encoding).toEqual(expected);
    }
  });

  it('JSON bytes may be URL-safe base64 without padding', () => {
    const request = logsWithAttributes([{ key: 'v', value: { bytesValue: '-_8' } }]);
    expect(firstRecord(decodeLogs(toJsonBody(request), 'json')).attributes.get('v')).toEqual({ kind: 'bytes', hex: 'fbff' });
  });

  it('a key given twice keeps its last value, and a missing key is the empty string', () => {
    const request = logsWithAttributes([{ key: 'k', value: { intValue: 1 } }, { key: 'k', value: { intValue: 2 } }, { value: { boolValue: true } } as KeyValueJson]);
    for (const encoding of ENCODINGS) {
      const attributes: OtlpAttributes = firstRecord(decodeLogs(encoding === 'json' ? toJsonBody(request) : toProtobufBody(request), encoding)).attributes;
      expect([...attributes]).toEqual([
        ['k', { kind: 'int', value: '2' }],
        ['', { kind: 'bool', value: true }],
      ]);
    }
  });


  function expectedValue(json: AnyValueJson): OtlpValue {
    const v = json as Record<string, any>;
    if ('stringValue' in v) return { kind: 'string', value: v.stringValue };
    if ('boolValue' in v) return { kind: 'bool', value: v.boolValue };
    if ('intValue' in v) return { kind: 'int', value: BigInt(v.intValue).toString() };
    if ('doubleValue' in v) return { kind: 'double', value: Number(v.doubleValue) };
    if ('bytesValue' in v) return { kind: 'bytes', hex: Buffer.from(v.bytesValue, 'base64').toString('hex') };
    if ('arrayValue' in v) return { kind: 'array', values: v.arrayValue.values.map(expectedValue) };
    if ('kvlistValue' in v) return { kind: 'kvlist', values: new Map(v.kvlistValue.values.map((kv: KeyValueJson) => [kv.key, expectedValue(kv.value!)])) };
    return { kind: 'empty' };
  }

  it('property: any tree of values decodes to the same records from JSON and protobuf, as written', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ key: fc.string({ maxLength: 8 }), value: anyValueJson }), { maxLength: 6 }), (attributes) => {
        const request = logsWithAttributes(attributes);
        const fromJson = decodeLogs(toJsonBody(request), 'json');
        expect(decodeLogs(toProtobufBody(request), 'protobuf')).toEqual(fromJson);
        expect(firstRecord(fromJson).attributes).toEqual(new Map(attributes.map((kv) => [kv.key, expectedValue(kv.value!)])));
      }),
      { numRuns: 200 },
    );
  });
});

describe('LogRecord.event_name and the rest of the record', () => {
  it('reads event_name (field 12), times, severity and attributes written byte by byte', () => {
    const record = [
      ...fixed64(1, 1768471200123456789n),
      ...fixed64(11, 1768471200223456789n),
      ...vint(2, 9n),
      ...text(3, 'INFO'),
      ...len(5, text(1, 'claude_code.api_request')),
      ...len(6, keyValue('b', len(7, [1, 2, 3]))),
      ...len(6, keyValue('i', vint(3, -1n))),
      ...len(9, new Array(16).fill(0xab)),
      ...text(12, 'claude_code.api_request'),
    ];
    const scopeLogs = [...len(1, [...text(1, EVENTS_SCOPE), ...text(2, '2.1.239')]), ...len(2, record)];
    const resource = len(1, len(1, keyValue('service.name', text(1, 'claude-code'))));
    const logs = decodeLogs(body(len(1, [...resource, ...len(2, scopeLogs)])), 'protobuf');
    expect(logs.recordCount).toBe(1);
    expect(logs.resources[0]!.attributes.get('service.name')).toEqual({ kind: 'string', value: 'claude-code' });
    expect(logs.resources[0]!.scopes[0]).toMatchObject({ name: EVENTS_SCOPE, version: '2.1.239' });
    expect(firstRecord(logs)).toEqual({
      timeUnixNano: '1768471200123456789',
      observedTimeUnixNano: '1768471200223456789',
      severityNumber: 9,
      eventName: 'claude_code.api_request',
      body: { kind: 'string', value: 'claude_code.api_request' },
      attributes: new Map<string, OtlpValue>([
        ['b', { kind: 'bytes', hex: '010203' }],
        ['i', { kind: 'int', value: '-1' }],
      ]),
    });
  });

  it('defaults: an empty record, an empty body, an empty export', () => {
    for (const encoding of ENCODINGS) {
      const request = { resourceLogs: [{ scopeLogs: [{ logRecords: [{}] }] }] };
      const bytes = encoding === 'json' ? toJsonBody(request) : toProtobufBody(request);
      expect(decodeLogs(bytes, encoding)).toEqual({
        resources: [
          {
            attributes: new Map(),
            scopes: [{ name: '', version: '', records: [{ timeUnixNano: '0', observedTimeUnixNano: '0', severityNumber: 0, eventName: '', body: { kind: 'empty' }, attributes: new Map() }] }],
          },
        ],
        recordCount: 1,
      });
      expect(decodeLogs(Buffer.alloc(0), encoding)).toEqual({ resources: [], recordCount: 0 });
      expect(decodeMetrics(Buffer.alloc(0), encoding)).toEqual({ resources: [], pointCount: 0 });
    }
    expect(decodeLogs(Buffer.from('{}'), 'json')).toEqual({ resources: [], recordCount: 0 });
  });

  it('JSON: unknown fields and snake_case names are ignored, null is absent', () => {
    const raw = {
      resource_logs: [{ scope_logs: [] }],
      resourceLogs: [
        {
          futureField: { deep: [1, 2, 3] },
          resource: null,
          scopeLogs: [{ scope: { name: 's', attributes: [] }, logRecords: [{ event_name: 'ignored', eventName: null, time_unix_nano: '5', body: null, extra: 1 }] }],
        },
      ],
    };
    const logs = decodeLogs(Buffer.from(JSON.stringify(raw)), 'json');
    expect(logs.recordCount).toBe(1);
    expect(firstRecord(logs)).toMatchObject({ eventName: '', timeUnixNano: '0', body: { kind: 'empty' } });
  });

  it('protobuf: unknown fields are skipped, and a known field sent with another wire type too (as protoc does)', () => {
    const record = [...vint(99, 7n), ...len(100, [1, 2, 3]), ...vint(12, 5n), ...text(12, 'claude_code.x')];
    const logs = decodeLogs(body(len(1, len(2, len(2, record)))), 'protobuf');
    expect(firstRecord(logs).eventName).toBe('claude_code.x');
    expect(decodeLogs(body(vint(1, 1n)), 'protobuf')).toEqual({ resources: [], recordCount: 0 });
  });
});

describe('undecodable bodies are an OtlpDecodeError naming the problem and where', () => {
  const json = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));
  const logCases: [string, Buffer, string | RegExp][] = [
    ['not JSON', json('{"resourceLogs":'), /^the body is not JSON/],
    ['not UTF-8', Buffer.from([0x7b, 0xff, 0x7d]), 'the body is not UTF-8 text'],
    ['an array', json([]), 'the body is not an ExportLogsServiceRequest object'],
    ['a string', json('"x"'), 'the body is not an ExportLogsServiceRequest object'],
    ['resourceLogs an object', json({ resourceLogs: {} }), 'resourceLogs: not an array'],
    ['a number for a ResourceLogs', json({ resourceLogs: [1] }), 'resourceLogs[0]: not a ResourceLogs'],
    ['a null ResourceLogs', json({ resourceLogs: [null] }), 'resourceLogs[0]: not a ResourceLogs'],
    ['resource an array', json({ resourceLogs: [{ resource: [] }] }), 'resourceLogs[0].resource: not a Resource'],
    ['scope a string', json({ resourceLogs: [{ scopeLogs: [{ scope: 'x' }] }] }), 'resourceLogs[0].scopeLogs[0].scope: not an InstrumentationScope'],
    ['scope name a number', json({ resourceLogs: [{ scopeLogs: [{ scope: { name: 1 } }] }] }), 'resourceLogs[0].scopeLogs[0].scope.name: not a string'],
    ['a record a string', json({ resourceLogs: [{ scopeLogs: [{ logRecords: ['x'] }] }] }), 'resourceLogs[0].scopeLogs[0].logRecords[0]: not a LogRecord'],
    [
      'an attribute value a string',
      json({
        resourceLogs: [
          {
            scopeLogs: [
              { logRecords: [] },
              { logRecords: [{}, {}, {}, { attributes: [{ key: 'a', value: { intValue: 1 } }, { key: 'b' }, { key: 'c', value: 'plain' }] }] },
            ],
          },
        ],
      }),
      'resourceLogs[0].scopeLogs[1].logRecords[3].attributes[2].value: not an AnyValue',
    ],
    ['an attribute not a KeyValue', json(logsWithAttributes([5 as unknown as KeyValueJson])), 'resourceLogs[0].scopeLogs[0].logRecords[0].attributes[0]: not a KeyValue'],
    ['a key a number', json(logsWithAttributes([{ key: 1 } as unknown as KeyValueJson])), 'attributes[0].key: not a string'],
    ['two kinds in one AnyValue', json(logsWithAttributes([{ key: 'a', value: { stringValue: 'x', intValue: 1 } as AnyValueJson }])), 'attributes[0].value: not an AnyValue (sets both stringValue and intValue)'],
    ['a stringValue number', json(logsWithAttributes([{ key: 'a', value: { stringValue: 1 } as unknown as AnyValueJson }])), 'attributes[0].value.stringValue: not a string'],
    ['a boolValue string', json(logsWithAttributes([{ key: 'a', value: { boolValue: 'true' } as unknown as AnyValueJson }])), 'attributes[0].value.boolValue: not a boolean'],
    ['a doubleValue word', json(logsWithAttributes([{ key: 'a', value: { doubleValue: 'lots' } }])), 'attributes[0].value.doubleValue: not a double'],
    ['bytes not base64', json(logsWithAttributes([{ key: 'a', value: { bytesValue: '!!' } }])), 'attributes[0].value.bytesValue: not base64 bytes'],
    ['values not an array', json(logsWithAttributes([{ key: 'a', value: { arrayValue: { values: {} } } as unknown as AnyValueJson }])), 'attributes[0].value.arrayValue.values: not an array'],
    ['kvlist a string', json(logsWithAttributes([{ key: 'a', value: { kvlistValue: 'x' } as unknown as AnyValueJson }])), 'attributes[0].value.kvlistValue: not a KeyValueList'],
    ['a null array element', json(logsWithAttributes([{ key: 'a', value: { arrayValue: { values: [null] } } as unknown as AnyValueJson }])), 'attributes[0].value.arrayValue.values[0]: not an AnyValue'],
    ['an enum by name', json(logsWithAttributes([], { severityNumber: 'SEVERITY_NUMBER_INFO' })), 'logRecords[0].severityNumber: not a 32-bit integer'],
    ['an eventName number', json(logsWithAttributes([], { eventName: 12 })), 'logRecords[0].eventName: not a string'],
    ['a body string', json(logsWithAttributes([], { body: 'claude_code.x' })), 'logRecords[0].body: not an AnyValue'],
  ];

  it.each(logCases)('logs JSON: %s', (_name, bytes, message) => {
    const error = decodeError(() => decodeLogs(bytes, 'json'));
    if (typeof message === 'string') expect(error.message.endsWith(message) || error.message === message, error.message).toBe(true);
    else expect(error.message).toMatch(message);
  });

  const point = (p: Record<string, unknown>, sum: Record<string, unknown> = {}) => ({
    resourceMetrics: [{ scopeMetrics: [{ metrics: [{ name: 'm', sum: { dataPoints: [p], ...sum } }] }] }],
  });
  const metricCases: [string, Buffer, string][] = [
    ['an array', json([]), 'the body is not an ExportMetricsServiceRequest object'],
    ['sum and gauge', json({ resourceMetrics: [{ scopeMetrics: [{ metrics: [{ name: 'm', sum: {}, gauge: {} }] }] }] }), 'resourceMetrics[0].scopeMetrics[0].metrics[0]: not a Metric (sets both gauge and sum)'],
    ['asInt and asDouble', json(point({ asInt: 1, asDouble: 1 })), 'metrics[0].sum.dataPoints[0]: not a NumberDataPoint (sets both asDouble and asInt)'],
    ['asInt fractional', json(point({ asInt: 1.5 })), 'metrics[0].sum.dataPoints[0].asInt: not a 64-bit integer'],
    ['temporality by name', json(point({}, { aggregationTemporality: 'AGGREGATION_TEMPORALITY_DELTA' })), 'metrics[0].sum.aggregationTemporality: not a 32-bit integer'],
    ['isMonotonic a string', json(point({}, { isMonotonic: 'true' })), 'metrics[0].sum.isMonotonic: not a boolean'],
    ['sum a number', json({ resourceMetrics: [{ scopeMetrics: [{ metrics: [{ sum: 1 }] }] }] }), 'metrics[0].sum: not a sum message'],
    ['a histogram point a number', json({ resourceMetrics: [{ scopeMetrics: [{ metrics: [{ histogram: { dataPoints: [1] } }] }] }] }), 'metrics[0].histogram.dataPoints[0]: not a data point'],
    ['a point attribute value', json(point({ attributes: [{ key: 'k', value: [] }] })), 'metrics[0].sum.dataPoints[0].attributes[0].value: not an AnyValue'],
  ];

  it.each(metricCases)('metrics JSON: %s', (_name, bytes, message) => {
    const error = decodeError(() => decodeMetrics(bytes, 'json'));
    expect(error.message.endsWith(message), error.message).toBe(true);
  });

  const valid = toProtobufBody(claudeCodeLogs({ seed: 2 }));
  const protobufCases: [string, Buffer][] = [
    ['truncated by one byte', valid.subarray(0, valid.length - 1)],
    ['truncated in half', valid.subarray(0, Math.floor(valid.length / 2))],
    ['a length beyond the end', body([...tag(1, 2), ...varint(1000n), 1, 2])],
    ['wire type 7', body([0x0f])],
    ['wire type 6', body([0x0e])],
    ['a stray end-group', body([0x0c])],
    ['field number 0', body([0x00, 0x01])],
    ['a fixed64 cut short', body(len(1, len(2, len(2, [...tag(1, 1), 1, 2, 3]))))],
  ];

  it.each(protobufCases)('protobuf: %s', (_name, bytes) => {
    expect(decodeError(() => decodeLogs(bytes, 'protobuf')).message).toMatch(/^the body is not a protobuf ExportLogsServiceRequest \(.+\)$/);
    expect(decodeError(() => decodeMetrics(bytes, 'protobuf')).message).toMatch(/^the body is not a protobuf ExportMetricsServiceRequest \(.+\)$/);
  });

  // LogRecord fields: for a metrics export the same bytes are Metric fields we do not read (skipped).
  const logRecordCases: [string, number[]][] = [
    ['a severity_number varint of 11 bytes', [...tag(2, 0), ...new Array(10).fill(0xff), 0x01]],
    ['an event_name that is not UTF-8', len(12, [0xc3, 0x28])],
  ];

  it.each(logRecordCases)('protobuf logs: %s', (_name, record) => {
    expect(decodeError(() => decodeLogs(body(len(1, len(2, len(2, record)))), 'protobuf')).message).toMatch(/^the body is not a protobuf ExportLogsServiceRequest \(.+\)$/);
  });
});

describe(`values nest at most ${MAX_VALUE_DEPTH} levels`, () => {
  it.each(['array', 'kvlist'] as const)(`%s values: ${MAX_VALUE_DEPTH} levels decode, one more is refused, in both encodings`, (kind) => {
    for (const encoding of ENCODINGS) {
      const encode = (request: LogsRequestJson) => (encoding === 'json' ? toJsonBody(request) : toProtobufBody(request));
      const ok = decodeLogs(encode(logsWithAttributes([{ key: 'deep', value: jsonNested(MAX_VALUE_DEPTH, kind) }], { body: jsonNested(MAX_VALUE_DEPTH, kind) })), encoding);
      let value = firstRecord(ok).attributes.get('deep')!;
      let levels = 1;
      while (value.kind === 'array' || value.kind === 'kvlist') {
        value = value.kind === 'array' ? value.values[0]! : [...value.values.values()][0]!;
        levels++;
      }
      expect(levels).toBe(MAX_VALUE_DEPTH);
      if (encoding === 'json') {
        const tooDeep = decodeError(() => decodeLogs(encode(logsWithAttributes([{ key: 'deep', value: jsonNested(MAX_VALUE_DEPTH + 1, kind) }])), encoding));
        expect(tooDeep.message).toMatch(/^resourceLogs\[0\]\.scopeLogs\[0\]\.logRecords\[0\]\.attributes\[0\]\.value(\.(arrayValue|kvlistValue)\.values\[0\](\.value)?)+: values nest more than 32 levels deep$/);
        const metrics = Buffer.from(JSON.stringify(metricsWithPointAttributes([{ key: 'deep', value: jsonNested(MAX_VALUE_DEPTH + 1, kind) }])));
        expect(decodeError(() => decodeMetrics(metrics, 'json')).message).toContain('values nest more than 32 levels deep');
      }
    }
  });

  it('32 levels of kvlists in a metric point attribute decode from protobuf (within protobufjs limit of 100 messages)', () => {
    const request = metricsWithPointAttributes([{ key: 'deep', value: jsonNested(MAX_VALUE_DEPTH, 'kvlist') }]);
    const bytes = toProtobufBody(request as never);
    expect(decodeMetrics(bytes, 'protobuf')).toEqual(decodeMetrics(toJsonBody(request as never), 'json'));
  });

  it('protobuf: 33 levels are refused; 100,000 levels are refused without exhausting the stack', () => {
    expect(firstRecord(decodeLogs(logsWithBody(nestedArrayBytes(MAX_VALUE_DEPTH)), 'protobuf')).body.kind).toBe('array');
    expect(decodeError(() => decodeLogs(logsWithBody(nestedArrayBytes(MAX_VALUE_DEPTH + 1)), 'protobuf')).message).toContain('values nest more than 32 levels deep');
    expect(decodeError(() => decodeLogs(logsWithBody(nestedArrayBytes(100_000)), 'protobuf')).message).toMatch(/max depth exceeded/);
  });

  it('JSON: 100,000 levels are refused, also when an unsafe integer makes the body parse a second time', () => {
    const levels = 100_000;
    const nested = '{"arrayValue":{"values":['.repeat(levels) + '{"stringValue":"x"}' + ']}}'.repeat(levels);
    const raw = (extra: string) => Buffer.from(`{"resourceLogs":[{"scopeLogs":[{"logRecords":[{${extra}"body":${nested}}]}]}]}`);
    expect(decodeError(() => decodeLogs(raw(''), 'json')).message).toContain('values nest more than 32 levels deep');
    const error = decodeError(() => decodeLogs(raw('"timeUnixNano":18446744073709551615,'), 'json'));
    expect(error.message).toMatch(/nest/);
  });
});

describe('never throws anything but OtlpDecodeError', () => {
  const decoders = [decodeLogs, decodeMetrics];

  it('property: arbitrary bytes, in either encoding', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
        for (const decode of decoders) for (const encoding of ENCODINGS) outcome(() => decode(Buffer.from(bytes), encoding));
      }),
      { numRuns: 1000 },
    );
  });

  it('property: arbitrary JSON values and arbitrary text', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue().map((v) => JSON.stringify(v)), fc.string({ unit: 'binary' })), (textBody) => {
        for (const decode of decoders) outcome(() => decode(Buffer.from(textBody), 'json'));
      }),
      { numRuns: 500 },
    );
  });

  /** Every [holder, key] of a JSON tree, to replace one of them. */
  function slots(root: unknown): [Record<string, unknown> | unknown[], string | number][] {
    const out: [Record<string, unknown> | unknown[], string | number][] = [];
    const stack: unknown[] = [root];
    while (stack.length > 0) {
      const node = stack.pop();
      if (Array.isArray(node)) node.forEach((child, i) => (out.push([node, i]), stack.push(child)));
      else if (node !== null && typeof node === 'object') for (const [k, child] of Object.entries(node)) (out.push([node as Record<string, unknown>, k]), stack.push(child));
    }
    return out;
  }

  const logsJson = JSON.stringify(claudeCodeLogs({ seed: 5 }));
  const metricsJson = JSON.stringify(claudeCodeMetrics({ seed: 5 }));

  it('property: a real export with one field replaced by any JSON value', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.nat(), fc.jsonValue({ maxDepth: 3 }), (logs, pick, replacement) => {
        const tree = JSON.parse(logs ? logsJson : metricsJson) as unknown;
        const all = slots(tree);
        const [holder, key] = all[pick % all.length]!;
        (holder as Record<string | number, unknown>)[key] = replacement;
        const decode = logs ? decodeLogs : decodeMetrics;
        outcome(() => decode(Buffer.from(JSON.stringify(tree)), 'json'));
      }),
      { numRuns: 500 },
    );
  });

  const logsProtobuf = toProtobufBody(claudeCodeLogs({ seed: 5 }));
  const metricsProtobuf = toProtobufBody(claudeCodeMetrics({ seed: 5 }));

  it('property: a real protobuf export with bytes changed, inserted or cut', () => {
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.array(fc.record({ at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }), op: fc.constantFrom('set', 'insert', 'cut') }), { minLength: 1, maxLength: 4 }),
        (logs, edits) => {
          let bytes = Buffer.from(logs ? logsProtobuf : metricsProtobuf);
          for (const { at, byte, op } of edits) {
            const i = at % (bytes.length + 1);
            if (op === 'set' && i < bytes.length) bytes[i] = byte;
            else if (op === 'insert') bytes = Buffer.concat([bytes.subarray(0, i), Buffer.from([byte]), bytes.subarray(i)]);
            else bytes = bytes.subarray(0, i);
          }
          outcome(() => (logs ? decodeLogs : decodeMetrics)(bytes, 'protobuf'));
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe('answers in the request encoding', () => {
  it('success: {} or no bytes', () => {
    expect(encodeExportAnswer('logs', 'json', 0, '').toString()).toBe('{}');
    expect(encodeExportAnswer('metrics', 'json', 0, '').toString()).toBe('{}');
    expect(encodeExportAnswer('logs', 'protobuf', 0, '')).toHaveLength(0);
    expect(otlpTypes.exportLogsResponse.toObject(otlpTypes.exportLogsResponse.decode(encodeExportAnswer('logs', 'protobuf', 0, '')))).toEqual({});
  });

  it('partial success: the count as an int64 string in JSON, round-tripped through protobufjs', () => {
    expect(JSON.parse(encodeExportAnswer('logs', 'json', 3, 'no session.id').toString())).toEqual({ partialSuccess: { rejectedLogRecords: '3', errorMessage: 'no session.id' } });
    expect(JSON.parse(encodeExportAnswer('metrics', 'json', 2, 'unknown metric').toString())).toEqual({ partialSuccess: { rejectedDataPoints: '2', errorMessage: 'unknown metric' } });
    expect(JSON.parse(encodeExportAnswer('logs', 'json', 0, 'a warning').toString())).toEqual({ partialSuccess: { errorMessage: 'a warning' } });
    const options = { longs: String };
    const logs = otlpTypes.exportLogsResponse;
    expect(logs.toObject(logs.decode(encodeExportAnswer('logs', 'protobuf', 3, 'no session.id')), options)).toEqual({
      partialSuccess: { rejectedLogRecords: '3', errorMessage: 'no session.id' },
    });
    const metrics = otlpTypes.exportMetricsResponse;
    expect(metrics.toObject(metrics.decode(encodeExportAnswer('metrics', 'protobuf', 2_000_000_000_000, 'x')), options)).toEqual({
      partialSuccess: { rejectedDataPoints: '2000000000000', errorMessage: 'x' },
    });
    // Field numbers as upstream: ExportLogsServiceResponse.partial_success = 1 { rejected_log_records = 1, error_message = 2 }.
    expect([...encodeExportAnswer('logs', 'protobuf', 3, 'e')]).toEqual(len(1, [...vint(1, 3n), ...text(2, 'e')]));
  });

  it('failure: a google.rpc.Status', () => {
    expect(JSON.parse(encodeFailure('json', 400, 'The body is not an OTLP logs export: x').toString())).toEqual({ code: 3, message: 'The body is not an OTLP logs export: x' });
    const status = otlpTypes.rpcStatus;
    expect(status.toObject(status.decode(encodeFailure('protobuf', 429, 'slow down')))).toEqual({ code: 8, message: 'slow down' });
    expect(status.toObject(status.decode(encodeFailure('protobuf', 503, 'later')))).toEqual({ code: 14, message: 'later' });
    expect([...encodeFailure('protobuf', 401, 'k')]).toEqual([...vint(1, 16n), ...text(2, 'k')]);
  });
});
