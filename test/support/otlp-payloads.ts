// Realistic Claude Code OTLP exports (docs: code.claude.com/docs/en/monitoring-usage; shapes as OTel-JS sends them),
// as plain OTLP JSON objects, and their bodies in both encodings. Deterministic for a given seed.
import { otlpTypes } from '../../src/otlp/otlp-schema.js';

export type AnyValueJson =
  | { stringValue: string }
  | { boolValue: boolean }
  | { intValue: number | string }
  | { doubleValue: number | string }
  | { arrayValue: { values?: AnyValueJson[] } }
  | { kvlistValue: { values?: KeyValueJson[] } }
  | { bytesValue: string }
  | Record<string, never>;

export interface KeyValueJson {
  key: string;
  value?: AnyValueJson;
}

export interface LogRecordJson {
  timeUnixNano?: string;
  observedTimeUnixNano?: string;
  severityNumber?: number;
  severityText?: string;
  eventName?: string;
  body?: AnyValueJson;
  attributes?: KeyValueJson[];
  traceId?: string;
  spanId?: string;
  flags?: number;
}

export interface ScopeJson {
  name?: string;
  version?: string;
}

export interface LogsRequestJson {
  resourceLogs: { resource?: { attributes?: KeyValueJson[] }; scopeLogs?: { scope?: ScopeJson; logRecords?: LogRecordJson[] }[] }[];
}

export interface NumberPointJson {
  attributes?: KeyValueJson[];
  startTimeUnixNano?: string;
  timeUnixNano?: string;
  asInt?: number | string;
  asDouble?: number | string;
}

export interface MetricJson {
  name: string;
  description?: string;
  unit?: string;
  sum?: { dataPoints: NumberPointJson[]; aggregationTemporality?: number; isMonotonic?: boolean };
  gauge?: { dataPoints: NumberPointJson[] };
  histogram?: { dataPoints: Record<string, unknown>[]; aggregationTemporality?: number };
}

export interface MetricsRequestJson {
  resourceMetrics: { resource?: { attributes?: KeyValueJson[] }; scopeMetrics?: { scope?: ScopeJson; metrics?: MetricJson[] }[] }[];
}

export const EVENTS_SCOPE = 'com.anthropic.claude_code.events';
export const METER_SCOPE = 'com.anthropic.claude_code';

interface CommonOptions {
  /** Session id on every record or point (default derived from the seed). */
  sessionId?: string;
  /** service.version (default 2.1.239). */
  version?: string;
  /** Wall clock of the first record, ms since the epoch (default 2026-01-15T10:00:00Z). */
  startMs?: number;
  seed?: number;
  /**
   * How 64-bit integers (intValue, asInt) are written in JSON: OTel-JS's JSON exporter writes numbers (default),
   * the proto3 JSON mapping decimal strings.
   */
  jsonInts?: 'number' | 'string';
}

export interface ClaudeCodeLogsOptions extends CommonOptions {
  /** 'new' (Claude Code 2.1.122+, default): numeric attributes as intValue/doubleValue. 'old': all as stringValue. */
  style?: 'old' | 'new';
  /** Prompts in the export, each with its run of events (default 1). */
  prompts?: number;
  /** Which records also carry LogRecord.eventName: every other one (default), all or none. */
  eventName?: 'some' | 'all' | 'none';
}

export interface ClaudeCodeMetricsOptions extends CommonOptions {
  /** AggregationTemporality of every Sum: 1 delta (Claude Code's default) or 2 cumulative. */
  temporality?: 1 | 2;
  /** How counts (tokens, lines, commits, sessions) are sent: asInt (default) or asDouble. */
  counts?: 'asInt' | 'asDouble';
  /** Add a metric Claude Code does not document (a gauge) and a histogram (default true). */
  extras?: boolean;
}

/** mulberry32: a small seeded generator, so payloads are the same on every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function ids(seed: number) {
  const next = random(seed);
  const hex = (n: number) => Array.from({ length: n }, () => Math.floor(next() * 16).toString(16)).join('');
  const base62 = (n: number) =>
    Array.from({ length: n }, () => 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'[Math.floor(next() * 62)]).join('');
  return {
    next,
    hex,
    uuid: () => `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`,
    toolUseId: () => `toolu_01${base62(22)}`,
    requestId: () => `req_011C${base62(20)}`,
    int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)),
  };
}

const str = (value: string): AnyValueJson => ({ stringValue: value });
const nanos = (ms: number): string => (BigInt(ms) * 1_000_000n).toString();

function resourceAttributes(version: string): KeyValueJson[] {
  return [
    { key: 'service.name', value: str('claude-code') },
    { key: 'service.version', value: str(version) },
    { key: 'os.type', value: str('linux') },
    { key: 'os.version', value: str('6.8.0-49-generic') },
    { key: 'host.arch', value: str('x64') },
  ];
}

const DEFAULT_START_MS = Date.UTC(2026, 0, 15, 10, 0, 0);

/** One Claude Code logs export: per prompt, the events Claude Code emits for it, plus an event we do not know. */
export function claudeCodeLogs(options: ClaudeCodeLogsOptions = {}): LogsRequestJson {
  const seed = options.seed ?? 1;
  const id = ids(seed);
  const style = options.style ?? 'new';
  const version = options.version ?? '2.1.239';
  const sessionId = options.sessionId ?? id.uuid();
  const userId = id.hex(64);
  const orgId = id.uuid();
  const accountUuid = id.uuid();
  let clock = options.startMs ?? DEFAULT_START_MS;
  let sequence = 0;

  // Claude Code before 2.1.122 sent numbers as strings; OTel-JS turns any integral number (even a cost of 0) into intValue.
  const num = (value: number): AnyValueJson => {
    if (style === 'old') return str(String(value));
    if (Number.isInteger(value)) return { intValue: options.jsonInts === 'string' ? String(value) : value };
    return { doubleValue: value };
  };

  const records: LogRecordJson[] = [];
  const emit = (name: string, promptId: string, attrs: Record<string, AnyValueJson>, extra: Partial<LogRecordJson> = {}) => {
    clock += id.int(5, 900);
    const withName =
      options.eventName === 'all' ? true : options.eventName === 'none' ? false : records.length % 2 === 0;
    const attributes: KeyValueJson[] = [
      { key: 'session.id', value: str(sessionId) },
      { key: 'user.id', value: str(userId) },
      { key: 'organization.id', value: str(orgId) },
      { key: 'user.account_uuid', value: str(accountUuid) },
      { key: 'user.email', value: str('dev@example.com') },
      { key: 'terminal.type', value: str('vscode') },
      { key: 'event.name', value: str(name) },
      { key: 'event.timestamp', value: str(new Date(clock).toISOString()) },
      { key: 'event.sequence', value: num(sequence++) },
      { key: 'prompt.id', value: str(promptId) },
      ...Object.entries(attrs).map(([key, value]) => ({ key, value })),
    ];
    records.push({
      timeUnixNano: nanos(clock),
      observedTimeUnixNano: nanos(clock + 2),
      ...(withName ? { eventName: `claude_code.${name}` } : {}),
      body: str(`claude_code.${name}`),
      attributes,
      ...extra,
    });
  };

  const apiRequest = (promptId: string, model: string, cost: number) => {
    const input = id.int(3, 4000);
    const output = id.int(20, 3000);
    emit(
      'api_request',
      promptId,
      {
        model: str(model),
        input_tokens: num(input),
        output_tokens: num(output),
        cache_read_tokens: num(id.int(0, 90_000)),
        cache_creation_tokens: num(id.int(0, 8000)),
        cost_usd: num(cost),
        duration_ms: num(id.int(400, 30_000)),
        request_id: str(id.requestId()),
        speed: str('normal'),
        query_source: str('main'),
      },
      { traceId: id.hex(32), spanId: id.hex(16) },
    );
  };

  for (let p = 0; p < (options.prompts ?? 1); p++) {
    const promptId = id.uuid();
    emit('user_prompt', promptId, { prompt_length: num(id.int(5, 900)), prompt: str('<REDACTED>') });
    apiRequest(promptId, 'claude-sonnet-4-6', Math.round(id.next() * 1e6) / 1e7 + 0.0001);
    const okTool = id.toolUseId();
    emit('tool_decision', promptId, { tool_name: str('Bash'), tool_use_id: str(okTool), decision: str('accept'), source: str('config') });
    emit('tool_result', promptId, {
      tool_name: str('Bash'),
      tool_use_id: str(okTool),
      success: str('true'),
      duration_ms: num(id.int(10, 5000)),
      tool_result_size_bytes: num(id.int(0, 20_000)),
    });
    const failedTool = id.toolUseId();
    emit('tool_decision', promptId, { tool_name: str('Edit'), tool_use_id: str(failedTool), decision: str('accept'), source: str('user_temporary') });
    emit('tool_result', promptId, {
      tool_name: str('Edit'),
      tool_use_id: str(failedTool),
      success: str('false'),
      duration_ms: num(id.int(1, 300)),
      error_type: str('ToolValidationError'),
    });
    emit('api_error', promptId, {
      model: str('claude-sonnet-4-6'),
      error: str('Overloaded'),
      status_code: num(529),
      duration_ms: num(id.int(100, 2000)),
      attempt: num(1),
      request_id: str(id.requestId()),
    });
    // A cost of exactly 0 (a cached Haiku call), which OTel-JS sends as intValue.
    apiRequest(promptId, 'claude-haiku-4-5', 0);
    emit('compaction', promptId, {
      trigger: str('auto'),
      success: str('true'),
      duration_ms: num(id.int(1000, 20_000)),
      pre_tokens: num(id.int(150_000, 190_000)),
      post_tokens: num(id.int(10_000, 40_000)),
    });
    emit('subagent_completed', promptId, {
      'agent.name': str('general-purpose'),
      total_tokens: num(id.int(1000, 50_000)),
      duration_ms: num(id.int(1000, 120_000)),
    });
    emit('future_event', promptId, { something_new: { kvlistValue: { values: [{ key: 'nested', value: { boolValue: true } }] } } });
  }

  return {
    resourceLogs: [{ resource: { attributes: resourceAttributes(version) }, scopeLogs: [{ scope: { name: EVENTS_SCOPE, version }, logRecords: records }] }],
  };
}

/** One Claude Code metrics export: each documented counter as a monotonic Sum, plus an unknown gauge and a histogram. */
export function claudeCodeMetrics(options: ClaudeCodeMetricsOptions = {}): MetricsRequestJson {
  const id = ids(options.seed ?? 1);
  const version = options.version ?? '2.1.239';
  const sessionId = options.sessionId ?? id.uuid();
  const temporality = options.temporality ?? 1;
  const now = options.startMs ?? DEFAULT_START_MS;
  // Delta points cover the last export interval (60 s); cumulative ones run from the process start.
  const start = temporality === 1 ? now - 60_000 : now - 3_600_000;
  const standard: KeyValueJson[] = [
    { key: 'session.id', value: str(sessionId) },
    { key: 'user.id', value: str(id.hex(64)) },
    { key: 'organization.id', value: str(id.uuid()) },
    { key: 'terminal.type', value: str('vscode') },
  ];
  const count = (value: number): Pick<NumberPointJson, 'asInt' | 'asDouble'> =>
    options.counts === 'asDouble' ? { asDouble: value } : { asInt: options.jsonInts === 'string' ? String(value) : value };
  const point = (value: Pick<NumberPointJson, 'asInt' | 'asDouble'>, attrs: Record<string, string> = {}): NumberPointJson => ({
    attributes: [...standard, ...Object.entries(attrs).map(([key, v]) => ({ key, value: str(v) }))],
    startTimeUnixNano: nanos(start),
    timeUnixNano: nanos(now),
    ...value,
  });
  const sum = (name: string, unit: string, description: string, dataPoints: NumberPointJson[]): MetricJson => ({
    name,
    description,
    unit,
    sum: { dataPoints, aggregationTemporality: temporality, isMonotonic: true },
  });
  const model = 'claude-sonnet-4-6';
  const metrics: MetricJson[] = [
    sum('claude_code.session.count', '', 'Count of CLI sessions started', [point(count(1), { start_type: 'fresh' })]),
    sum('claude_code.token.usage', 'tokens', 'Number of tokens used', [
      point(count(id.int(10, 5000)), { type: 'input', model }),
      point(count(id.int(10, 5000)), { type: 'output', model }),
      point(count(id.int(1000, 90_000)), { type: 'cacheRead', model }),
      point(count(id.int(0, 8000)), { type: 'cacheCreation', model }),
    ]),
    sum('claude_code.cost.usage', 'USD', 'Cost of the Claude Code session', [point({ asDouble: 0.0123456 }, { model })]),
    sum('claude_code.active_time.total', 's', 'Total active time in seconds', [
      point({ asDouble: 12.5 }, { type: 'user' }),
      point({ asDouble: 48.25 }, { type: 'cli' }),
    ]),
    sum('claude_code.lines_of_code.count', '', 'Count of lines of code modified', [
      point(count(id.int(1, 300)), { type: 'added', model }),
      point(count(id.int(0, 100)), { type: 'removed', model }),
    ]),
    sum('claude_code.commit.count', '', 'Number of git commits created', [point(count(1))]),
    sum('claude_code.pull_request.count', '', 'Number of pull requests created', [point(count(1))]),
  ];
  if (options.extras ?? true) {
    metrics.push({ name: 'claude_code.future.widgets', unit: '{widget}', gauge: { dataPoints: [point({ asDouble: 3.5 })] } });
    metrics.push({
      name: 'claude_code.api.duration',
      unit: 'ms',
      histogram: {
        aggregationTemporality: temporality,
        dataPoints: [
          {
            attributes: standard,
            startTimeUnixNano: nanos(start),
            timeUnixNano: nanos(now),
            count: '4',
            sum: 5230.5,
            bucketCounts: ['0', '1', '2', '1'],
            explicitBounds: [100, 1000, 2500],
            min: 80.5,
            max: 2900,
          },
        ],
      },
    });
  }
  return {
    resourceMetrics: [
      { resource: { attributes: resourceAttributes(version) }, scopeMetrics: [{ scope: { name: METER_SCOPE, version }, metrics }] },
    ],
  };
}

/** The export as an application/json body. */
export function toJsonBody(request: LogsRequestJson | MetricsRequestJson): Buffer {
  return Buffer.from(JSON.stringify(request));
}

function hexToBase64(value: unknown): unknown {
  return typeof value === 'string' ? Buffer.from(value, 'hex').toString('base64') : value;
}

/** OTLP JSON writes traceId and spanId in hex; protobufjs' fromObject reads bytes as base64. */
function withBase64Ids(request: unknown): unknown {
  return JSON.parse(JSON.stringify(request), (key, value: unknown) => (key === 'traceId' || key === 'spanId' ? hexToBase64(value) : value));
}

/** The export as an application/x-protobuf body, encoded by protobufjs from the same object. */
export function toProtobufBody(request: LogsRequestJson | MetricsRequestJson): Buffer {
  const type = 'resourceLogs' in request ? otlpTypes.exportLogsRequest : otlpTypes.exportMetricsRequest;
  const bytes = type.encode(type.fromObject(withBase64Ids(request) as Record<string, unknown>)).finish();
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
