// Prometheus metrics (ecosystem issue): GET /metrics in the text exposition format, off unless
// TRENCHCOAT_METRICS_TOKEN is set, then behind `Authorization: Bearer <token>`. Counters move by
// exactly what the gateway did; labels are route templates and capped operation names.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';
import { runCli, startServe, type ServeProcess } from './support/cli-run.js';
import { parseExposition, samplesOf, valueOf, type Exposition } from './support/prometheus-text.js';
import { subscribe } from './support/sse-client.js';
import { createTestDatabase, TEST_ENGINE, type TestDatabase } from './support/test-database.js';
import { event, SESSION_A, SESSION_B, startTestGateway, type TestGateway } from './support/test-gateway.js';

const TOKEN = 'scrape-Token_0123456789abcdef';
const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
const T0 = '2024-01-15T10:30:00Z';

const REQUESTS = 'trenchcoat_http_requests_total';
const DURATION = 'trenchcoat_http_request_duration_seconds';
const OPERATIONS = 'trenchcoat_graphql_operations_total';
const INGESTED = 'trenchcoat_events_ingested_total';

async function scrape(t: TestGateway, token = TOKEN): Promise<Exposition> {
  const response = await t.get('/metrics', null, { authorization: `Bearer ${token}` });
  const body = await response.text();
  expect(response.status, body).toBe(200);
  expect(response.headers.get('content-type')).toBe(CONTENT_TYPE);
  return parseExposition(body);
}

/** How much each counter of `name` with these labels moved between two scrapes. */
function moved(before: Exposition, after: Exposition, name: string, labels: Record<string, string>): number {
  return valueOf(after, name, labels) - valueOf(before, name, labels);
}

describe('metrics off (TRENCHCOAT_METRICS_TOKEN unset)', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway();
  });
  afterAll(() => t.close());

  it('answers /metrics 404 like any unknown path, with or without a bearer token', async () => {
    const unknown = await t.get('/no-such-path');
    for (const headers of [{}, { authorization: `Bearer ${TOKEN}` }] as Record<string, string>[]) {
      const response = await t.get('/metrics', null, headers);
      expect(response.status).toBe(404);
      const body = await response.json();
      expect(body.error.code).toBe('NOT_FOUND');
      expect(Object.keys(body.error)).toEqual(Object.keys((await unknown.clone().json()).error));
    }
  });
});

describe('TRENCHCOAT_METRICS_TOKEN', () => {
  it('is off when unset or empty, kept when 16 visible characters or more', () => {
    expect(loadConfig({}, {}).metricsToken).toBeNull();
    expect(loadConfig({}, { TRENCHCOAT_METRICS_TOKEN: '' }).metricsToken).toBeNull();
    expect(loadConfig({}, { TRENCHCOAT_METRICS_TOKEN: TOKEN }).metricsToken).toBe(TOKEN);
    expect(loadConfig({}, { TRENCHCOAT_METRICS_TOKEN: 'x'.repeat(16) }).metricsToken).toBe('x'.repeat(16));
  });

  it('refuses a short, spaced or non-ASCII token with an error naming the variable and not echoing the value', () => {
    for (const bad of ['fifteen-chars!!', 'has a space 0123456789', 'tab\there-0123456789', 'é'.repeat(16), 'x'.repeat(1025)]) {
      let thrown: unknown;
      try {
        loadConfig({}, { TRENCHCOAT_METRICS_TOKEN: bad });
      } catch (error) {
        thrown = error;
      }
      expect(thrown, bad).toBeInstanceOf(ConfigError);
      expect((thrown as Error).message).toContain('TRENCHCOAT_METRICS_TOKEN');
      expect((thrown as Error).message).not.toContain(bad.slice(0, 15));
    }
  });
});

describe('metrics on', () => {
  let t: TestGateway;
  let key: string;
  beforeAll(async () => {
    t = await startTestGateway({ env: { TRENCHCOAT_METRICS_TOKEN: TOKEN } });
    key = await t.key();
  });
  afterAll(() => t.close());

  it('answers 401 UNAUTHORIZED without the right bearer token, and never echoes a token', async () => {
    const wrong: Record<string, string>[] = [
      {},
      { authorization: '' },
      { authorization: 'Bearer' },
      { authorization: `Bearer ${TOKEN.slice(0, -1)}` },
      { authorization: `Bearer ${TOKEN}x` },
      { authorization: `Bearer ${TOKEN.slice(0, -1)}X` },
      { authorization: `Basic ${Buffer.from(`user:${TOKEN}`).toString('base64')}` },
      { authorization: `Bearer ${key}` },
      { 'x-api-key': TOKEN },
      { 'x-api-key': key },
    ];
    for (const headers of wrong) {
      const response = await t.get('/metrics', null, headers);
      const text = await response.text();
      expect(response.status, JSON.stringify(headers)).toBe(401);
      expect(JSON.parse(text)).toEqual({ error: { code: 'UNAUTHORIZED', message: expect.any(String) } });
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer\b/);
      const everything = text + JSON.stringify([...response.headers]);
      expect(everything).not.toContain(TOKEN);
      expect(everything).not.toContain(TOKEN.slice(0, 16));
      expect(everything).not.toContain(key);
    }
    // A token in the query string is not read either.
    expect((await t.get(`/metrics?token=${TOKEN}`)).status).toBe(401);
  });

  it('accepts the token, the scheme in any case; only GET and HEAD', async () => {
    for (const scheme of ['Bearer', 'bearer', 'BEARER']) {
      const response = await t.get('/metrics', null, { authorization: `${scheme} ${TOKEN}` });
      expect(response.status).toBe(200);
      const body = await response.text();
      expect(body).not.toContain(TOKEN);
    }
    const post = await t.post('/metrics', {}, null, { authorization: `Bearer ${TOKEN}` });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });

  it('serves the exposition format: every metric typed, the gateway families present, process metrics prefixed', async () => {
    const metrics = await scrape(t);
    expect(metrics.types.get(REQUESTS)).toBe('counter');
    expect(metrics.types.get(DURATION)).toBe('histogram');
    expect(metrics.types.get(OPERATIONS)).toBe('counter');
    expect(metrics.types.get(INGESTED)).toBe('counter');
    expect(metrics.types.get('trenchcoat_rate_limited_total')).toBe('counter');
    expect(metrics.types.get('trenchcoat_live_subscriptions')).toBe('gauge');
    expect(metrics.types.get('trenchcoat_process_cpu_user_seconds_total')).toBe('counter');
    for (const name of metrics.types.keys()) expect(name).toMatch(/^trenchcoat_/);
    // Zero before anything happened, so rates work from the first scrape.
    for (const outcome of ['stored', 'duplicate', 'rejected']) expect(samplesOf(metrics, INGESTED, { outcome })).toHaveLength(1);
    for (const bucket of ['requests', 'events']) expect(samplesOf(metrics, 'trenchcoat_rate_limited_total', { bucket })).toHaveLength(1);
  });

  it('counts exactly the requests, operations and events served between two scrapes', async () => {
    const before = await scrape(t);
    const statuses = async (...responses: Promise<Response>[]) => Promise.all(responses.map(async (r) => (await r).status));

    expect(await statuses(t.get('/api/v1/sessions?limit=5', key))).toEqual([200]);
    expect(await statuses(t.get('/api/v1/sessions?limit=oops', key))).toEqual([400]);
    expect(await statuses(t.get('/api/v1/sessions'))).toEqual([401]);
    expect(await statuses(t.get('/nope/123', key))).toEqual([404]);

    const first = await t.post('/api/v1/events', { events: [event('session_start', SESSION_A, T0, { event_id: 'first' })] }, key);
    expect(await first.json()).toEqual({ data: { accepted: 1, rejected: 0, duplicates: 0, errors: [] } });
    const batch = await t.post(
      '/api/v1/events',
      {
        events: [
          event('session_start', SESSION_A, T0, { event_id: 'first' }), // already stored
          event('tool_use', SESSION_A, '2024-01-15T10:31:00Z', { event_id: 'second', data: { tool_name: 'Read' } }),
          event('no_such_type', SESSION_A, T0),
        ],
      },
      key,
    );
    expect((await batch.json()).data).toMatchObject({ accepted: 2, rejected: 1, duplicates: 1 });
    const hook = await t.post('/api/v1/hooks/claude-code', { session_id: SESSION_B, hook_event_name: 'SessionStart' }, key);
    expect(hook.status).toBe(200);
    await hook.arrayBuffer();

    // The fast path answers this one.
    const listed = await t.graphql('query ListSessions { sessions(limit: 5) { total } }', undefined, key);
    expect(listed.body).toEqual({ data: { sessions: { total: 2 } } });
    // Without a key the fast path runs it once, sees errors and hands the result to Yoga to answer: one operation.
    const refused = await t.graphql('query NoKey { sessions { total } }');
    expect(refused.status).toBe(401);
    expect(refused.body.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
    expect((await t.graphql('{ sessions { total } }', undefined, key)).status).toBe(200);
    const longName = `Q${'x'.repeat(64)}`;
    expect((await t.graphql(`query ${longName} { sessions { total } }`, undefined, key)).status).toBe(200);
    const mutation = await t.graphql(
      'mutation Send($events: [EventInput!]!) { ingestEvents(events: $events) { accepted duplicates rejected } }',
      { events: [{ eventType: 'tool_use', sessionId: SESSION_A, timestamp: '2024-01-15T10:32:00Z', eventId: 'third' }] },
      key,
    );
    expect(mutation.body.data?.['ingestEvents']).toEqual({ accepted: 1, duplicates: 0, rejected: 0 });
    // Invalid documents never reach execution: no operation to count.
    const invalid = await t.graphql('{ sessions { nope } }', undefined, key);
    expect(invalid.status).toBe(200);
    expect(invalid.body.data).toBeUndefined();
    expect(invalid.body.errors?.[0]?.extensions?.['code']).toBe('VALIDATION_ERROR');

    const after = await scrape(t);
    const requests = (route: string, method: string, status: number) => moved(before, after, REQUESTS, { route, method, status: String(status) });
    expect(requests('/api/v1/sessions', 'GET', 200)).toBe(1);
    expect(requests('/api/v1/sessions', 'GET', 400)).toBe(1);
    expect(requests('/api/v1/sessions', 'GET', 401)).toBe(1);
    expect(requests('unknown', 'GET', 404)).toBe(1);
    expect(requests('/api/v1/events', 'POST', 200)).toBe(2);
    expect(requests('/api/v1/hooks/claude-code', 'POST', 200)).toBe(1);
    expect(requests('/graphql', 'POST', 200)).toBe(5);
    expect(requests('/graphql', 'POST', 401)).toBe(1);
    // The scrape before this one; this one is counted when it ends.
    expect(requests('/metrics', 'GET', 200)).toBe(1);
    const total = (e: Exposition) => samplesOf(e, REQUESTS).reduce((sum, s) => sum + s.value, 0);
    expect(total(after) - total(before)).toBe(4 + 3 + 6 + 1);

    const operations = (type: string, name: string) => moved(before, after, OPERATIONS, { operation_type: type, operation_name: name });
    expect(operations('query', 'ListSessions')).toBe(1);
    expect(operations('query', 'NoKey')).toBe(1);
    expect(operations('query', 'anonymous')).toBe(1);
    expect(operations('query', 'other')).toBe(1);
    expect(operations('mutation', 'Send')).toBe(1);
    expect(samplesOf(after, OPERATIONS).reduce((sum, s) => sum + s.value, 0) - samplesOf(before, OPERATIONS).reduce((sum, s) => sum + s.value, 0)).toBe(5);

    // REST batches (1 + 1 new), the hook delivery and the mutation.
    expect(moved(before, after, INGESTED, { outcome: 'stored' })).toBe(4);
    expect(moved(before, after, INGESTED, { outcome: 'duplicate' })).toBe(1);
    expect(moved(before, after, INGESTED, { outcome: 'rejected' })).toBe(1);
  });

  it('labels requests with route templates, never raw paths or query strings', async () => {
    await (await t.get('/api/v1/sessions?limit=5&offset=0', key)).arrayBuffer();
    await (await t.get(`/nope/123?key=${key}`, key)).arrayBuffer();
    const metrics = await scrape(t);
    const routes = new Set(samplesOf(metrics, REQUESTS).map((s) => s.labels['route']));
    expect(routes).toContain('/api/v1/sessions');
    expect(routes).toContain('unknown');
    for (const route of routes) {
      expect(route === 'unknown' || ['/api/v1/', '/graphql', '/metrics', '/healthz', '/readyz'].some((p) => route!.startsWith(p)), route).toBe(true);
      expect(route).not.toMatch(/[?&=]|nope|123|\.\./);
    }
    expect(JSON.stringify(metrics)).not.toContain(key);
  });

  it('keeps histogram buckets cumulative, with _count equal to the route\'s requests', async () => {
    await (await t.get('/healthz')).arrayBuffer();
    await (await t.get('/readyz')).arrayBuffer();
    const metrics = await scrape(t);
    const series = new Set(samplesOf(metrics, `${DURATION}_count`).map((s) => JSON.stringify([s.labels['route'], s.labels['method']])));
    expect(series.size).toBeGreaterThanOrEqual(5);
    for (const entry of series) {
      const [route, method] = JSON.parse(entry) as [string, string];
      const buckets = samplesOf(metrics, `${DURATION}_bucket`, { route, method }).map((s) => ({ le: Number(s.labels['le'] === '+Inf' ? Infinity : s.labels['le']), value: s.value }));
      expect(buckets.length).toBeGreaterThan(5);
      const byBound = [...buckets].sort((a, b) => a.le - b.le);
      expect(byBound.at(-1)!.le).toBe(Infinity);
      for (let i = 1; i < byBound.length; i++) expect(byBound[i]!.value).toBeGreaterThanOrEqual(byBound[i - 1]!.value);
      const count = valueOf(metrics, `${DURATION}_count`, { route, method });
      expect(byBound.at(-1)!.value).toBe(count);
      expect(valueOf(metrics, `${DURATION}_sum`, { route, method })).toBeGreaterThanOrEqual(0);
      const requests = samplesOf(metrics, REQUESTS, { route, method }).reduce((sum, s) => sum + s.value, 0);
      expect(count, `${method} ${route}`).toBe(requests);
    }
  });

  it('reports the database: PostgreSQL pool gauges, or SQLite answering', async () => {
    const metrics = await scrape(t);
    if (TEST_ENGINE === 'postgres') {
      const state = (s: string) => valueOf(metrics, 'trenchcoat_db_pool_connections', { state: s });
      expect(metrics.types.get('trenchcoat_db_pool_connections')).toBe('gauge');
      expect(samplesOf(metrics, 'trenchcoat_db_pool_connections')).toHaveLength(3);
      expect(state('total')).toBeGreaterThanOrEqual(1);
      expect(state('idle')).toBeLessThanOrEqual(state('total'));
      expect(state('waiting')).toBeGreaterThanOrEqual(0);
      expect(metrics.types.has('trenchcoat_db_up')).toBe(false);
    } else {
      expect(valueOf(metrics, 'trenchcoat_db_up')).toBe(1);
      expect(metrics.types.has('trenchcoat_db_pool_connections')).toBe(false);
    }
  });

  it('gauges open live subscriptions and counts each subscription once', async () => {
    const before = await scrape(t);
    expect(valueOf(before, 'trenchcoat_live_subscriptions')).toBe(0);
    const stream = await subscribe(t.url, 'subscription Watch { sessionUpdated { id } }', { key });
    try {
      expect(stream.status).toBe(200);
      const during = await scrape(t);
      expect(valueOf(during, 'trenchcoat_live_subscriptions')).toBe(1);
      expect(moved(before, during, OPERATIONS, { operation_type: 'subscription', operation_name: 'Watch' })).toBe(1);
    } finally {
      stream.close();
    }
    await expect.poll(async () => valueOf(await scrape(t), 'trenchcoat_live_subscriptions')).toBe(0);
  });

  it('counts rate-limit refusals by bucket', async () => {
    const standard = await t.key({ tier: 'standard' });
    const before = await scrape(t);
    let refused = 0;
    // 60 a minute: the window may turn once during the loop, so go until two refusals.
    for (let i = 0; i < 200 && refused < 2; i++) {
      const response = await t.get('/api/v1/sessions?limit=1', standard);
      await response.arrayBuffer();
      if (response.status === 429) refused++;
    }
    expect(refused).toBe(2);
    const after = await scrape(t);
    expect(moved(before, after, 'trenchcoat_rate_limited_total', { bucket: 'requests' })).toBe(2);
    expect(moved(before, after, REQUESTS, { route: '/api/v1/sessions', method: 'GET', status: '429' })).toBe(2);
    expect(moved(before, after, 'trenchcoat_rate_limited_total', { bucket: 'events' })).toBe(0);
  });

  it('keeps each gateway\'s counts to itself', async () => {
    const other = await startTestGateway({ env: { TRENCHCOAT_METRICS_TOKEN: `${TOKEN}-other` } });
    try {
      const mine = await scrape(t);
      expect(valueOf(mine, REQUESTS, { route: '/api/v1/sessions', method: 'GET', status: '200' })).toBeGreaterThan(1);
      const theirs = await scrape(other, `${TOKEN}-other`);
      expect(samplesOf(theirs, REQUESTS, { route: '/api/v1/sessions' })).toEqual([]);
      expect((await other.get('/metrics', null, { authorization: `Bearer ${TOKEN}` })).status).toBe(401);
    } finally {
      await other.close();
    }
  });
});

describe('metrics token in a served process', () => {
  let dir: string;
  let database: TestDatabase;
  let server: ServeProcess;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'trenchcoat-metrics-'));
    database = await createTestDatabase();
    server = await startServe(['--port', '0', '--db', database.url], { cwd: dir, env: { ...database.gatewayEnv, LOG_LEVEL: 'trace', TRENCHCOAT_METRICS_TOKEN: TOKEN } });
  }, 90_000);
  afterAll(async () => {
    server?.child.kill('SIGTERM');
    await server?.exited;
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('never logs the token, right or wrong', async () => {
    const wrong = `${TOKEN.slice(0, -3)}zzz`;
    const ok = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(ok.status).toBe(200);
    parseExposition(await ok.text());
    const refused = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${wrong}` } });
    expect(refused.status).toBe(401);
    await refused.arrayBuffer();
    await expect.poll(() => server.lines.filter((l) => l.includes('"route":"/metrics"')).length, { timeout: 5000 }).toBe(2);
    const everything = server.lines.join('\n');
    expect(everything).not.toContain(TOKEN);
    expect(everything).not.toContain(wrong);
    expect(everything).not.toContain(TOKEN.slice(0, 16));
  });

  it('refuses to start with a token under 16 characters, naming the variable', async () => {
    const short = 'too-short-token';
    const result = await runCli(['serve', '--port', '0', '--db', database.url], { cwd: dir, env: { ...database.gatewayEnv, TRENCHCOAT_METRICS_TOKEN: short } });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('TRENCHCOAT_METRICS_TOKEN');
    expect(result.stderr + result.stdout).not.toContain(short);
  });
});
