// `trenchcoat demo` stores its sessions in the gateway's own process through the same use cases and
// services as POST /api/v1/events and the OTLP export: they count in /metrics and reach live subscribers like any
// ingestion, and the dashboard's usage, activity and timeline figures are those the generator drew.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNT, DEMO_SESSIONS, storeDemoData } from '../src/cli/demo-command.js';
import { demoSessions, type DemoSession } from '../src/demo/demo-events.js';
import { costUsd } from '../src/usage/model-price.js';
import type { ModelRequest } from '../src/usage/model-request.js';
import { PriceTable } from '../src/usage/price-table.js';
import { parseExposition, valueOf, type Exposition } from './support/prometheus-text.js';
import { subscribe } from './support/sse-client.js';
import { startTestGateway, type TestGateway } from './support/test-gateway.js';

const TOKEN = 'scrape-Token_0123456789abcdef';
const INGESTED = 'trenchcoat_events_ingested_total';

async function scrape(t: TestGateway): Promise<Exposition> {
  const response = await t.get('/metrics', null, { authorization: `Bearer ${TOKEN}` });
  expect(response.status).toBe(200);
  return parseExposition(await response.text());
}

describe('demo data', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway({ env: { TRENCHCOAT_METRICS_TOKEN: TOKEN } });
  });
  afterAll(() => t.close());

  it('counts in the ingestion metric and is announced to the demo account\'s live subscribers', async () => {
    const key = await t.key({ account: DEMO_ACCOUNT, scopes: ['read:analytics'] });
    const stream = await subscribe(t.url, 'subscription { sessionUpdated { id } }', { key });
    try {
      expect(stream.status).toBe(200);
      const before = await scrape(t);
      const { stored } = await storeDemoData(t.gateway);
      expect(stored).toBeGreaterThan(0);
      const after = await scrape(t);
      expect(valueOf(after, INGESTED, { outcome: 'stored' }) - valueOf(before, INGESTED, { outcome: 'stored' })).toBe(stored);
      const update = await stream.next(5000);
      expect(update?.data?.data?.sessionUpdated?.id).toEqual(expect.any(String));
    } finally {
      stream.close();
    }
  });

  it('counts a second run as duplicates and stores nothing new', async () => {
    const before = await scrape(t);
    const now = Date.now();
    const first = (await storeDemoData(t.gateway, now)).stored;
    const again = (await storeDemoData(t.gateway, now)).stored;
    expect(again).toBe(0);
    const after = await scrape(t);
    expect(valueOf(after, INGESTED, { outcome: 'stored' }) - valueOf(before, INGESTED, { outcome: 'stored' })).toBe(first);
    expect(valueOf(after, INGESTED, { outcome: 'duplicate' })).toBeGreaterThan(valueOf(before, INGESTED, { outcome: 'duplicate' }));
  });
});

interface Figures {
  totalTokens: number;
  costUsd: number;
  requests: number;
  apiErrors: number;
}

const LIST_PRICES = PriceTable.bundled();
const EMPTY: Figures = { totalTokens: 0, costUsd: 0, requests: 0, apiErrors: 0 };

/** One request as the gateway counts it: the transcript's copy when there is one, else the OTLP one. */
function countedCopies(session: DemoSession): { counted: ModelRequest; reportedNanos: number | null }[] {
  const byKey = new Map<string, ModelRequest[]>();
  for (const r of session.usage.modelRequests) byKey.set(r.requestKey, [...(byKey.get(r.requestKey) ?? []), r]);
  return [...byKey.values()].map((copies) => ({
    counted: copies.find((r) => r.source === 'transcript') ?? copies[0]!,
    reportedNanos: copies.find((r) => r.source === 'otlp')?.reportedCostNanos ?? null,
  }));
}

/** What a request adds, by the documented rule: transcript tokens at list prices, else Claude Code's estimate. */
function figuresOf(counted: ModelRequest, reportedNanos: number | null): Figures {
  const price = LIST_PRICES.priceFor(counted.model);
  expect(price, counted.model).not.toBeNull();
  return {
    totalTokens: counted.inputTokens + counted.outputTokens + counted.cacheWrite5mTokens + counted.cacheWrite1hTokens + counted.cacheReadTokens,
    costUsd: counted.source === 'transcript' ? costUsd(counted, price!, false) : reportedNanos! / 1e9,
    requests: 1,
    apiErrors: 0,
  };
}

function plus(a: Figures, b: Partial<Figures>): Figures {
  return {
    totalTokens: a.totalTokens + (b.totalTokens ?? 0),
    costUsd: a.costUsd + (b.costUsd ?? 0),
    requests: a.requests + (b.requests ?? 0),
    apiErrors: a.apiErrors + (b.apiErrors ?? 0),
  };
}

function expectFigures(actual: Figures, expected: Figures, what: string): void {
  expect({ ...actual, costUsd: 0 }, what).toEqual({ ...expected, costUsd: 0 });
  expect(actual.costUsd, what).toBeCloseTo(expected.costUsd, 6);
}

describe('demo usage, activity and timeline', () => {
  const NOW = Date.parse('2024-06-01T12:00:00Z');
  const generated = [...demoSessions(NOW, DEMO_SESSIONS)];
  let t: TestGateway;
  let key: string;
  beforeAll(async () => {
    t = await startTestGateway({ now: () => NOW });
    key = await t.key({ account: DEMO_ACCOUNT, scopes: ['read:analytics'] });
  });
  afterAll(() => t.close());

  const read = async () => {
    const { status, body } = await t.graphql(
      `{ analytics(startDate: "2000-01-01") { usage(groupBy: MODEL) { model totalTokens costUsd requests apiErrors } }
         sessions(limit: 50, startDate: "2000-01-01") { total nodes { id
           usage { totalTokens costUsd reportedCostUsd requests apiErrors } activity { linesAdded } } } }`,
      {},
      key,
    );
    expect(status, JSON.stringify(body.errors)).toBe(200);
    type Node = { id: string; usage: (Figures & { reportedCostUsd: number | null }) | null; activity: { linesAdded: number } | null };
    return { byModel: body.data!['analytics'].usage as (Figures & { model: string })[], sessions: body.data!['sessions'] as { total: number; nodes: Node[] } };
  };

  it('stores model requests, failed requests and counters whose figures are the sums of what the generator drew', async () => {
    const summary = await storeDemoData(t.gateway, NOW);
    expect(summary.sessions).toBe(DEMO_SESSIONS);
    expect(summary.stored).toBe(generated.reduce((n, s) => n + s.events.length, 0));
    const { byModel, sessions } = await read();
    expect(sessions.total).toBe(DEMO_SESSIONS);

    const expectedByModel = new Map<string, Figures>();
    let requests = 0;
    for (const session of generated) {
      const node = sessions.nodes.find((n) => n.id === session.sessionId);
      expect(node, session.sessionId).toBeDefined();
      let expected = plus(EMPTY, { apiErrors: session.usage.errors.length });
      for (const { counted, reportedNanos } of countedCopies(session)) {
        const figures = figuresOf(counted, reportedNanos);
        expected = plus(expected, figures);
        expectedByModel.set(counted.model, plus(expectedByModel.get(counted.model) ?? EMPTY, figures));
        requests += 1;
      }
      for (const e of session.usage.errors) expectedByModel.set(e.model, plus(expectedByModel.get(e.model) ?? EMPTY, { apiErrors: 1 }));
      const { reportedCostUsd, ...figures } = node!.usage!;
      expectFigures(figures, expected, `session ${session.sessionId} (${session.source})`);
      // Transcripts carry no cost of Claude Code's own and no counters: only exported sessions have them.
      expect(reportedCostUsd === null, session.source).toBe(session.source === 'transcript');
      const lines = session.usage.metricPoints.filter((p) => p.metric === 'lines_added').reduce((n, p) => n + p.value, 0);
      expect(node!.activity, session.source).toEqual(session.source === 'transcript' ? null : { linesAdded: lines });
    }
    expect(summary.modelRequests).toBe(requests);

    expect(byModel.map((g) => g.model).sort()).toEqual([...expectedByModel.keys()].sort());
    expect(byModel.length).toBeGreaterThanOrEqual(3);
    for (const group of byModel) {
      const { model, ...figures } = group;
      expectFigures(figures, expectedByModel.get(model)!, model);
    }

    // Most sessions show usage and activity; some show Claude Code's own cost beside the list-price one.
    expect(sessions.nodes.filter((n) => n.usage !== null && n.usage.totalTokens > 0).length).toBe(DEMO_SESSIONS);
    expect(sessions.nodes.filter((n) => n.activity !== null).length).toBeGreaterThan(DEMO_SESSIONS / 2);
    expect(sessions.nodes.filter((n) => n.usage!.apiErrors > 0).length).toBeGreaterThan(0);
    expect(sessions.nodes.filter((n) => n.usage!.reportedCostUsd !== null).length).toBeGreaterThan(DEMO_SESSIONS / 2);
  });

  it('stores nothing new when run again later: the same events, requests and figures', async () => {
    const before = await read();
    // A later run places the sessions later: everything it sends is known by its id, not its instant.
    const again = await storeDemoData(t.gateway, NOW + 3 * 3_600_000);
    expect(again.stored).toBe(0);
    expect(again.duplicates).toBe(again.events);
    expect(await read()).toEqual(before);
  });

  it('shows subagents and a compaction in the timeline of a session that had them', async () => {
    const session = generated.find((s) => ['subagent_stop', 'pre_compact'].every((type) => s.events.some((e) => e.event_type === type)));
    expect(session).toBeDefined();
    const { status, body } = await t.graphql(
      'query ($id: ID!) { session(id: $id) { events(limit: 500) { type timestamp data } } }',
      { id: session!.sessionId },
      key,
    );
    expect(status).toBe(200);
    const events = body.data!['session'].events as { type: string; timestamp: string; data: Record<string, unknown> }[];
    expect(events.map((e) => e.type)).toEqual(session!.events.map((e) => e.event_type));
    const stops = events.filter((e) => e.type === 'subagent_stop');
    expect(stops.length).toBeGreaterThan(0);
    for (const stop of stops) expect(stop.data).toMatchObject({ agent_id: expect.stringMatching(/^[0-9a-f]{17}$/), agent_type: expect.any(String), stop_hook_active: false });
    expect(events.find((e) => e.type === 'pre_compact')?.data).toMatchObject({ trigger: expect.stringMatching(/^(auto|manual)$/) });
  });
});
