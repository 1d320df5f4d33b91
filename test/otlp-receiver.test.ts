// POST /v1/logs and /v1/metrics end to end: Claude Code's own OTLP export (both encodings, gzip, chunked) becomes
// sessions, model usage and counters; retries are duplicates; bad bodies get OTLP's answers; admission as every route.
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { otlpTypes } from '../src/otlp/otlp-schema.js';
import {
  claudeCodeLogs,
  claudeCodeMetrics,
  toJsonBody,
  toProtobufBody,
  type AnyValueJson,
  type LogRecordJson,
  type LogsRequestJson,
} from './support/otlp-payloads.js';
import { rawRequest } from './support/rest-read-helpers.js';
import { startTestGateway, type TestGateway } from './support/test-gateway.js';

const JSON_TYPE = 'application/json';
const PROTOBUF = 'application/x-protobuf';

function send(t: TestGateway, path: string, body: Buffer, headers: Record<string, string>) {
  return fetch(`${t.url}${path}`, { method: 'POST', headers, body: new Uint8Array(body) });
}

/** What a record says, read from the plain JSON the generator wrote (independent of the gateway's decoder). */
function attribute(record: LogRecordJson, key: string): AnyValueJson | undefined {
  return record.attributes?.find((a) => a.key === key)?.value;
}

function attributeNumber(record: LogRecordJson, key: string): number {
  const value = attribute(record, key) as Record<string, unknown> | undefined;
  if (!value) return 0;
  return Number(value['intValue'] ?? value['doubleValue'] ?? value['stringValue'] ?? 0);
}

function records(request: LogsRequestJson): LogRecordJson[] {
  return request.resourceLogs.flatMap((r) => r.scopeLogs ?? []).flatMap((s) => s.logRecords ?? []);
}

function named(request: LogsRequestJson, name: string): LogRecordJson[] {
  return records(request).filter((r) => (attribute(r, 'event.name') as { stringValue?: string } | undefined)?.stringValue === name);
}

/** The session figures an export must produce, counted from the export itself. */
function expected(request: LogsRequestJson) {
  const prompts = named(request, 'user_prompt').length;
  const tools = named(request, 'tool_result').length;
  const stored = prompts + 2 * tools + named(request, 'compaction').length + named(request, 'subagent_completed').length;
  const requests = named(request, 'api_request');
  const sum = (key: string) => requests.reduce((total, r) => total + attributeNumber(r, key), 0);
  return {
    eventCount: stored,
    toolInvocations: tools,
    inputTokens: sum('input_tokens'),
    outputTokens: sum('output_tokens'),
    cacheReadTokens: sum('cache_read_tokens'),
    cacheCreationTokens: sum('cache_creation_tokens'),
    reportedCostUsd: sum('cost_usd'),
    requests: requests.length,
    apiErrors: named(request, 'api_error').length,
  };
}

const SESSION_QUERY = `query ($id: ID!) { session(id: $id) { id eventCount toolInvocations
  usage { inputTokens outputTokens cacheCreationTokens cacheReadTokens totalTokens reportedCostUsd requests apiErrors models }
  activity { activeTimeUserSeconds activeTimeCliSeconds linesAdded linesRemoved commits pullRequests } } }`;

async function sessionView(t: TestGateway, key: string, id: string) {
  const { status, body } = await t.graphql(SESSION_QUERY, { id }, key);
  expect(status, JSON.stringify(body)).toBe(200);
  return body.data!['session'];
}

describe('the OTLP/HTTP receiver', () => {
  let t: TestGateway;
  let key: string;
  beforeAll(async () => {
    t = await startTestGateway();
    key = await t.key();
  });
  afterAll(() => t.close());

  const sessionOf = (n: number) => `5e55a0${String(n).padStart(2, '0')}-0000-4000-8000-000000000001`;

  it.each([
    ['JSON, new-style attributes', JSON_TYPE, 'new', 1],
    ['JSON, old-style string numbers', JSON_TYPE, 'old', 2],
    ['protobuf, new-style attributes', PROTOBUF, 'new', 3],
    ['protobuf, old-style string numbers', PROTOBUF, 'old', 4],
  ] as const)('%s: an export becomes a session with its events and usage, answered 200 with an empty response', async (_name, type, style, n) => {
    const sessionId = sessionOf(n);
    const request = claudeCodeLogs({ style, prompts: 3, sessionId, seed: n });
    const body = type === JSON_TYPE ? toJsonBody(request) : toProtobufBody(request);
    const answer = await send(t, '/v1/logs', body, { 'Content-Type': type, 'X-API-Key': key });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toContain(type);
    const bytes = Buffer.from(await answer.arrayBuffer());
    if (type === JSON_TYPE) expect(JSON.parse(bytes.toString())).toEqual({});
    else expect(bytes.length).toBe(0);

    const want = expected(request);
    const session = await sessionView(t, key, sessionId);
    expect(session).toMatchObject({ id: sessionId, eventCount: want.eventCount, toolInvocations: want.toolInvocations });
    expect(session.usage).toMatchObject({
      inputTokens: want.inputTokens,
      outputTokens: want.outputTokens,
      cacheReadTokens: want.cacheReadTokens,
      cacheCreationTokens: want.cacheCreationTokens,
      totalTokens: want.inputTokens + want.outputTokens + want.cacheReadTokens + want.cacheCreationTokens,
      requests: want.requests,
      apiErrors: want.apiErrors,
    });
    expect(session.usage.reportedCostUsd).toBeCloseTo(want.reportedCostUsd, 9);
    expect(session.usage.models.length).toBeGreaterThan(0);
  });

  it('a retried export (the same records again, in either encoding) changes nothing', async () => {
    const sessionId = sessionOf(10);
    const request = claudeCodeLogs({ prompts: 2, sessionId, seed: 10 });
    for (const [type, body] of [[JSON_TYPE, toJsonBody(request)], [PROTOBUF, toProtobufBody(request)], [JSON_TYPE, toJsonBody(request)]] as const) {
      expect((await send(t, '/v1/logs', body, { 'Content-Type': type, 'X-API-Key': key })).status).toBe(200);
    }
    const want = expected(request);
    const session = await sessionView(t, key, sessionId);
    expect(session).toMatchObject({ eventCount: want.eventCount, toolInvocations: want.toolInvocations });
    expect(session.usage).toMatchObject({ inputTokens: want.inputTokens, requests: want.requests, apiErrors: want.apiErrors });
  });

  it('takes a gzipped body and a chunked one', async () => {
    const gz = claudeCodeLogs({ sessionId: sessionOf(11), seed: 11 });
    const zipped = await send(t, '/v1/logs', gzipSync(toProtobufBody(gz)), { 'Content-Type': PROTOBUF, 'Content-Encoding': 'gzip', 'X-API-Key': key });
    expect(zipped.status).toBe(200);
    expect((await sessionView(t, key, sessionOf(11))).eventCount).toBe(expected(gz).eventCount);

    const chunked = claudeCodeLogs({ sessionId: sessionOf(12), seed: 12 });
    const answer = await rawRequest(`${t.url}/v1/logs`, {
      method: 'POST', headers: { 'Content-Type': JSON_TYPE, 'X-API-Key': key }, body: toJsonBody(chunked), chunked: true,
    });
    expect(answer.status).toBe(200);
    expect((await sessionView(t, key, sessionOf(12))).eventCount).toBe(expected(chunked).eventCount);
  });

  it('answers records it cannot use with a partial success naming how many and why; stores the rest', async () => {
    const request = claudeCodeLogs({ sessionId: sessionOf(13), seed: 13 });
    const want = expected(request);
    const broken = structuredClone(records(request)[0]!);
    broken.attributes = broken.attributes!.filter((a) => a.key !== 'session.id');
    request.resourceLogs[0]!.scopeLogs![0]!.logRecords!.push(broken);
    const answer = await send(t, '/v1/logs', toJsonBody(request), { 'Content-Type': JSON_TYPE, 'X-API-Key': key });
    expect(answer.status).toBe(200);
    const body = await answer.json();
    expect(body.partialSuccess.rejectedLogRecords).toBe('1');
    expect(body.partialSuccess.errorMessage).toMatch(/session/i);
    expect((await sessionView(t, key, sessionOf(13))).eventCount).toBe(want.eventCount);

    const proto = await send(t, '/v1/logs', toProtobufBody(request), { 'Content-Type': PROTOBUF, 'X-API-Key': key });
    const decoded = otlpTypes.exportLogsResponse.toObject(otlpTypes.exportLogsResponse.decode(Buffer.from(await proto.arrayBuffer())), { longs: String });
    expect(decoded['partialSuccess']).toMatchObject({ rejectedLogRecords: '1' });
  });

  it('keeps the counters Claude Code exports per session, delta or cumulative, and drops the rest', async () => {
    for (const [n, temporality] of [[14, 1], [15, 2]] as const) {
      const request = claudeCodeMetrics({ sessionId: sessionOf(n), temporality, seed: n });
      const answer = await send(t, '/v1/metrics', toProtobufBody(request), { 'Content-Type': PROTOBUF, 'X-API-Key': key });
      expect(answer.status).toBe(200);
      // A session exists from its first event: the counters wait for it.
      await send(t, '/v1/logs', toJsonBody(claudeCodeLogs({ sessionId: sessionOf(n), seed: n })), { 'Content-Type': JSON_TYPE, 'X-API-Key': key });
      const points = request.resourceMetrics.flatMap((r) => r.scopeMetrics ?? []).flatMap((s) => s.metrics ?? []);
      const total = (name: string, type?: string) =>
        points.filter((m) => m.name === name).flatMap((m) => m.sum?.dataPoints ?? [])
          .filter((p) => type === undefined || p.attributes?.some((a) => a.key === 'type' && (a.value as { stringValue?: string }).stringValue === type))
          .reduce((sum, p) => sum + Number(p.asInt ?? p.asDouble ?? 0), 0);
      const activity = (await sessionView(t, key, sessionOf(n))).activity;
      expect(activity).toEqual({
        activeTimeUserSeconds: total('claude_code.active_time.total', 'user'),
        activeTimeCliSeconds: total('claude_code.active_time.total', 'cli'),
        linesAdded: total('claude_code.lines_of_code.count', 'added'),
        linesRemoved: total('claude_code.lines_of_code.count', 'removed'),
        commits: total('claude_code.commit.count'),
        pullRequests: total('claude_code.pull_request.count'),
      });
      expect(activity.linesAdded).toBeGreaterThan(0);
    }
  });
});

describe('OTLP answers to what it cannot take', () => {
  let t: TestGateway;
  let key: string;
  let readOnly: string;
  beforeAll(async () => {
    t = await startTestGateway({ env: { TRENCHCOAT_OTLP_BODY_LIMIT_BYTES: String(64 * 1024) } });
    key = await t.key();
    readOnly = await t.key({ scopes: ['read:analytics'] });
  });
  afterAll(() => t.close());

  const logs = () => toJsonBody(claudeCodeLogs({ seed: 20 }));

  it('400 with a google.rpc.Status for an undecodable body, in the request encoding', async () => {
    const json = await send(t, '/v1/logs', Buffer.from('{"resourceLogs": 7}'), { 'Content-Type': JSON_TYPE, 'X-API-Key': key });
    expect(json.status).toBe(400);
    const status = await json.json();
    expect(status).toEqual({ code: 3, message: expect.stringContaining('resourceLogs') });

    const proto = await send(t, '/v1/metrics', Buffer.from([0x0a, 0xff, 0xff, 0xff]), { 'Content-Type': PROTOBUF, 'X-API-Key': key });
    expect(proto.status).toBe(400);
    const decoded = otlpTypes.rpcStatus.toObject(otlpTypes.rpcStatus.decode(Buffer.from(await proto.arrayBuffer())));
    expect(decoded).toMatchObject({ code: 3 });
    expect(String(decoded['message'])).toMatch(/metrics/);
  });

  it('400 for a body that is not gzip though it says so; 415 for another coding or media type', async () => {
    expect((await send(t, '/v1/logs', logs(), { 'Content-Type': JSON_TYPE, 'Content-Encoding': 'gzip', 'X-API-Key': key })).status).toBe(400);
    expect((await send(t, '/v1/logs', logs(), { 'Content-Type': JSON_TYPE, 'Content-Encoding': 'br', 'X-API-Key': key })).status).toBe(415);
    const text = await send(t, '/v1/logs', logs(), { 'Content-Type': 'text/plain', 'X-API-Key': key });
    expect(text.status).toBe(415);
    expect((await text.json()).message).toContain('application/x-protobuf');
  });

  it('413 for a body over the limit, before or after decompression (a small gzip of a large export)', async () => {
    const large = Buffer.alloc(200 * 1024, 0x20);
    expect((await send(t, '/v1/logs', large, { 'Content-Type': JSON_TYPE, 'X-API-Key': key })).status).toBe(413);
    const bomb = gzipSync(large);
    expect(bomb.length).toBeLessThan(64 * 1024);
    const answer = await send(t, '/v1/logs', bomb, { 'Content-Type': JSON_TYPE, 'Content-Encoding': 'gzip', 'X-API-Key': key });
    expect(answer.status).toBe(413);
    expect((await answer.json()).message).toMatch(/decompressed/);
  });

  it('admission as every route: 401 without a key, 403 without write:events, as a Status; 405 on GET', async () => {
    const none = await send(t, '/v1/logs', logs(), { 'Content-Type': JSON_TYPE });
    expect(none.status).toBe(401);
    expect(await none.json()).toEqual({ code: 16, message: expect.any(String) });
    const denied = await send(t, '/v1/metrics', logs(), { 'Content-Type': JSON_TYPE, Authorization: `Bearer ${readOnly}` });
    expect(denied.status).toBe(403);
    expect((await denied.json()).code).toBe(7);
    expect((await fetch(`${t.url}/v1/logs`, { headers: { 'X-API-Key': key } })).status).toBe(405);
  });
});

describe('OTLP exports counted in events against the key tier', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway();
  });
  afterAll(() => t.close());

  it('429 with Retry-After once an ingestion key has used its events; nothing of that export is stored', async () => {
    const minute = () => Math.floor(Date.now() / 60_000);
    // Each round a fresh key: two small exports are stored, REST batches of one same 1,000 events (duplicates count
    // and cost little to store) use up the rest of the tier's 100,000 events a minute, and a larger export is
    // refused. A round the minute turned over in (the allowance comes back) is done again.
    for (let round = 0; ; round++) {
      expect(round, 'the minute turned over in every round').toBeLessThan(3);
      const started = minute();
      const key = await t.key({ tier: 'ingestion' });
      const sessionId = `5e55a0${90 + round}-0000-4000-8000-000000000001`;
      let stored = 0;
      for (const seed of [1, 2]) {
        const request = claudeCodeLogs({ sessionId, prompts: 20, seed: 1000 * round + seed, startMs: Date.UTC(2026, 0, 1) + seed * 3_600_000 });
        const answer = await send(t, '/v1/logs', toProtobufBody(request), { 'Content-Type': PROTOBUF, 'X-API-Key': key });
        expect(answer.status).toBe(200);
        stored += expected(request).eventCount;
      }
      const burn = {
        events: Array.from({ length: 1000 }, (_, i) => ({ event_type: 'prompt_submit', session_id: `5e55a08${round}-0000-4000-8000-000000000001`, timestamp: new Date(Date.UTC(2026, 0, 1) + i).toISOString(), event_id: `burn-${i}` })),
      };
      let burnt = 0;
      while (burnt <= 100 && (await t.post('/api/v1/events', burn, key)).status === 200) burnt++;
      // The other records of this export (its own seed and clock) would show in the session's count had any been stored.
      const refusedRequest = claudeCodeLogs({ sessionId, prompts: 150, seed: 1000 * round + 3, startMs: Date.UTC(2026, 0, 1) + 3 * 3_600_000 });
      const refused = await send(t, '/v1/logs', toProtobufBody(refusedRequest), { 'Content-Type': PROTOBUF, 'X-API-Key': key });
      if (minute() !== started) continue;
      // The two exports were charged: less than 100 batches of 1,000 fitted after them.
      expect(burnt).toBe(99);
      expect(expected(refusedRequest).eventCount).toBeGreaterThan(1000);
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      const decoded = otlpTypes.rpcStatus.toObject(otlpTypes.rpcStatus.decode(Buffer.from(await refused.arrayBuffer())));
      expect(decoded).toMatchObject({ code: 8 });
      const { body } = await t.graphql('query ($id: ID!) { session(id: $id) { eventCount } }', { id: sessionId }, await t.key());
      expect(body.data!['session'].eventCount).toBe(stored);
      return;
    }
  });
});
