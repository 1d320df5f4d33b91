// A session sent both ways (hooks or batches, and Claude Code's own OTLP export) is not counted twice: it shows its
// direct events when it has any, else the reported ones, whatever the order the deliveries arrived in; its model
// requests from OTLP and from its transcript are one request each (joined on the request id). `verify` agrees.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Difference } from '../src/verify/difference.js';
import { verifySessions } from '../src/verify/recompute-sessions.js';
import { storeUsage } from '../src/usage/store-usage.js';
import { claudeCodeLogs, toJsonBody, toProtobufBody } from './support/otlp-payloads.js';
import { startTestGateway, type TestGateway } from './support/test-gateway.js';

const VIEW = `query ($id: ID!) { session(id: $id) { startedAt endedAt eventCount toolInvocations
  tools { name count } events(limit: 500) { type } usage { inputTokens requests } } }`;

const START = Date.parse('2026-03-02T09:00:00Z');

interface Delivery {
  kind: 'direct' | 'reported';
  index: number;
}

/** The direct deliveries of one session: batches of REST events (tool calls with their own ids, prompts, an end). */
function directBatches(sessionId: string, salt: number): unknown[][] {
  const at = (s: number) => new Date(START + salt * 86_400_000 + s * 1000).toISOString();
  const call = (n: number, name: string) => [
    { event_type: 'tool_use', session_id: sessionId, timestamp: at(10 * n), event_id: `h-use-${n}`, data: { tool_name: name, tool_use_id: `toolu_${n}` } },
    { event_type: 'tool_result', session_id: sessionId, timestamp: at(10 * n + 2), event_id: `h-res-${n}`, data: { tool_name: name, tool_use_id: `toolu_${n}`, duration_ms: 2000 } },
  ];
  return [
    [{ event_type: 'session_start', session_id: sessionId, timestamp: at(1), event_id: 'h-start' }, ...call(1, 'Read')],
    [...call(2, 'Bash'), { event_type: 'prompt_submit', session_id: sessionId, timestamp: at(5), event_id: 'h-prompt' }],
    [{ event_type: 'session_end', session_id: sessionId, timestamp: at(900), event_id: 'h-end' }],
  ];
}

/** The reported deliveries: OTLP exports, alternately JSON and protobuf, starting earlier than the hooks did. */
function reportedExports(sessionId: string, salt: number): { type: string; body: Buffer }[] {
  return [0, 1].map((i) => {
    const request = claudeCodeLogs({ sessionId, prompts: 2, seed: 7 + i, startMs: START + salt * 86_400_000 - 60_000 + i * 30_000 });
    return i % 2 === 0 ? { type: 'application/json', body: toJsonBody(request) } : { type: 'application/x-protobuf', body: toProtobufBody(request) };
  });
}

describe('hooks and OTLP on one session', () => {
  let t: TestGateway;
  let key: string;
  let reader: string;
  beforeAll(async () => {
    t = await startTestGateway();
    key = await t.key({ scopes: ['write:events'] });
    reader = await t.key({ scopes: ['read:analytics'] });
  });
  afterAll(() => t.close());

  async function deliver(sessionId: string, salt: number, order: readonly Delivery[]): Promise<void> {
    const direct = directBatches(sessionId, salt);
    const reported = reportedExports(sessionId, salt);
    for (const d of order) {
      if (d.kind === 'direct') {
        const answer = await t.post('/api/v1/events', { events: direct[d.index] }, key);
        expect(answer.status).toBe(200);
      } else {
        const { type, body } = reported[d.index]!;
        const answer = await fetch(`${t.url}/v1/logs`, { method: 'POST', headers: { 'Content-Type': type, 'X-API-Key': key }, body: new Uint8Array(body) });
        expect(answer.status).toBe(200);
      }
    }
  }

  async function view(sessionId: string) {
    const { status, body } = await t.graphql(VIEW, { id: sessionId }, reader);
    expect(status, JSON.stringify(body)).toBe(200);
    return body.data!['session'];
  }

  const ALL: Delivery[] = [
    { kind: 'direct', index: 0 }, { kind: 'direct', index: 1 }, { kind: 'direct', index: 2 },
    { kind: 'reported', index: 0 }, { kind: 'reported', index: 1 },
  ];

  it('shows the direct events whenever there are any, whatever the order; the usage from OTLP either way; verify clean', async () => {
    let run = 0;
    // The reference: the direct deliveries alone, and the OTLP exports alone, each on a session of its own.
    const directOnly = `d1000000-0000-4000-8000-${String(0).padStart(12, '0')}`;
    await deliver(directOnly, 0, ALL.filter((d) => d.kind === 'direct'));
    const expectedDirect = await view(directOnly);
    const reportedOnly = `e1000000-0000-4000-8000-${String(0).padStart(12, '0')}`;
    await deliver(reportedOnly, 0, ALL.filter((d) => d.kind === 'reported'));
    const expectedReported = await view(reportedOnly);
    expect(expectedReported.eventCount).toBeGreaterThan(expectedDirect.eventCount);

    await fc.assert(
      fc.asyncProperty(fc.shuffledSubarray(ALL, { minLength: 1 }), fc.boolean(), async (order, repeat) => {
        run += 1;
        const sessionId = `f1000000-0000-4000-8000-${String(run).padStart(12, '0')}`;
        await deliver(sessionId, 0, repeat ? [...order, ...order] : order);
        const got = await view(sessionId);
        const directs = order.filter((d) => d.kind === 'direct').length;
        const reporteds = order.length - directs;
        const { usage, ...shown } = got;
        const strip = ({ usage: _usage, ...rest }: Record<string, unknown>) => rest;
        // Every delivery of the class that shows: the same session as that class alone.
        if (directs === 3) expect(shown).toEqual(strip(expectedDirect));
        else if (directs === 0 && reporteds === 2) expect(shown).toEqual(strip(expectedReported));
        if (directs > 0) {
          // No reported event shows once a direct one exists: every event listed is one the hooks sent.
          const directTypes = new Set(['session_start', 'tool_use', 'tool_result', 'prompt_submit', 'session_end']);
          expect(got.events.every((e: { type: string }) => directTypes.has(e.type))).toBe(true);
          expect(got.eventCount).toBeLessThanOrEqual(expectedDirect.eventCount);
        }
        // Usage comes from OTLP whichever class shows.
        if (reporteds === 2) expect(usage).toEqual(expectedReported.usage);
        if (reporteds === 0) expect(usage).toBeNull();
      }),
      { numRuns: 25 },
    );
    const found: Difference[] = [];
    await verifySessions(t.gateway.database, { onDifference: (d) => found.push(d) });
    expect(found).toEqual([]);
  });

  it('a model request sent by OTLP and read from the transcript is one request: the transcript tokens count', async () => {
    const sessionId = 'd2000000-0000-4000-8000-000000000001';
    const [first] = reportedExports(sessionId, 1);
    await fetch(`${t.url}/v1/logs`, { method: 'POST', headers: { 'Content-Type': first!.type, 'X-API-Key': key }, body: new Uint8Array(first!.body) });
    const before = (await view(sessionId)).usage;
    expect(before.requests).toBeGreaterThan(0);
    const rows = await t.gateway.database.db.selectFrom('model_requests').selectAll().where('session_id', '=', sessionId).execute();
    const one = rows[0]!;
    const accountId = Number(one.account_id);
    // The transcript knows the same request (same id) with its own counts: it counts once, with the transcript's tokens.
    await storeUsage(t.gateway.database.db, accountId, {
      modelRequests: [{
        sessionId, requestKey: one.request_key, model: one.model, ts: Number(one.ts), inputTokens: 7, outputTokens: 5,
        cacheWrite5mTokens: 0, cacheWrite1hTokens: 3, cacheReadTokens: 11, reportedCostNanos: null, fast: false, source: 'transcript',
      }],
      errors: [],
      metricPoints: [],
    });
    const after = (await view(sessionId)).usage;
    expect(after.requests).toBe(before.requests);
    expect(after.inputTokens).toBe(before.inputTokens - Number(one.o_input) + 7);
  });
});
