// Rate limits per key tier (docs/api.md#rate-limits): requests per minute on every
// authenticated call, REST and GraphQL alike; events per minute for ingestion; 429 RATE_LIMITED
// with Retry-After and RateLimit-* headers; several processes share one count.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServe, type ServeProcess } from './support/cli-run.js';
import { available, describeNeeding } from './support/requirements.js';
import { TEST_ENGINE } from './support/test-database.js';
import { event, SESSION_A, startTestGateway, type TestGateway } from './support/test-gateway.js';

const T0 = Date.parse('2026-11-29T10:00:10Z');

function headersOf(response: Response) {
  return {
    limit: response.headers.get('ratelimit-limit'),
    remaining: response.headers.get('ratelimit-remaining'),
    reset: response.headers.get('ratelimit-reset'),
    retryAfter: response.headers.get('retry-after'),
  };
}

function uuid(n: number): string {
  return `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
}

describe('requests per minute', () => {
  let t: TestGateway;
  let clock = T0;
  beforeAll(async () => {
    t = await startTestGateway({ now: () => clock });
  });
  afterAll(() => t.close());

  it('standard: 60 requests a minute over REST and GraphQL together, then 429 with Retry-After; the next window is fresh', async () => {
    clock = T0;
    const key = await t.key({ tier: 'standard' });
    for (let i = 1; i <= 60; i++) {
      const response = i % 2 === 0
        ? await t.get('/api/v1/sessions?limit=1', key)
        : await fetch(`${t.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': key }, body: JSON.stringify({ query: '{ sessions(limit: 1) { total } }' }) });
      expect(response.status, `request ${i}`).toBe(200);
      expect(headersOf(response), `request ${i}`).toMatchObject({ limit: '60', remaining: String(60 - i), reset: '50', retryAfter: null });
      await response.arrayBuffer();
    }
    const refused = await t.get('/api/v1/sessions', key);
    expect(refused.status).toBe(429);
    expect(headersOf(refused)).toEqual({ limit: '60', remaining: '0', reset: '50', retryAfter: '50' });
    expect(await refused.json()).toEqual({ error: { code: 'RATE_LIMITED', message: 'Rate limit exceeded. Retry after 50 seconds.' } });

    const graphql = await fetch(`${t.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': key }, body: JSON.stringify({ query: '{ sessions { total } }' }) });
    expect(graphql.status).toBe(429);
    expect(graphql.headers.get('retry-after')).toBe('50');
    const body = (await graphql.json()) as { errors: { message: string; extensions: { code: string } }[] };
    expect(body.errors[0]).toEqual({ message: 'Rate limit exceeded. Retry after 50 seconds.', extensions: { code: 'RATE_LIMITED' } });

    clock = T0 + 50_000;
    const next = await t.get('/api/v1/sessions', key);
    expect(next.status).toBe(200);
    expect(headersOf(next)).toMatchObject({ limit: '60', remaining: '59', reset: '60' });
    await next.arrayBuffer();
  });

  it('counts each key on its own, and premium allows 300', async () => {
    clock = T0;
    const premium = await t.key({ tier: 'premium' });
    const standard = await t.key({ tier: 'standard' });
    let last: Response | undefined;
    for (let i = 0; i < 300; i++) {
      last = await t.get('/api/v1/analytics/overview', premium);
      expect(last.status).toBe(200);
      await last.arrayBuffer();
    }
    expect(headersOf(last!)).toMatchObject({ limit: '300', remaining: '0' });
    expect((await t.get('/api/v1/sessions', premium)).status).toBe(429);
    const fresh = await t.get('/api/v1/sessions', standard);
    expect(fresh.status).toBe(200);
    expect(headersOf(fresh)).toMatchObject({ limit: '60', remaining: '59' });
  });

  it('unlimited keys and requests without a valid key carry no RateLimit headers', async () => {
    const unlimited = await t.key({ tier: 'unlimited' });
    const ok = await t.get('/api/v1/sessions', unlimited);
    expect(ok.status).toBe(200);
    expect(headersOf(ok).limit).toBeNull();
    const anonymous = await t.get('/api/v1/sessions', null);
    expect(anonymous.status).toBe(401);
    expect(headersOf(anonymous).limit).toBeNull();
  });
});

describe('events per minute (ingestion tier: 100,000)', () => {
  let t: TestGateway;
  const clock = T0;
  beforeAll(async () => {
    t = await startTestGateway({ now: () => clock });
  });
  afterAll(() => t.close());

  it('accepts 100,000 events in a minute, refuses the batch that would pass it whole, and still takes one that fits', async () => {
    const key = await t.key({ tier: 'ingestion', scopes: ['write:events'] });
    const reader = await t.key({ scopes: ['read:analytics'] });
    const batch = (from: number, size: number) => ({
      events: Array.from({ length: size }, (_, i) => event('tool_use', uuid(from + i), '2026-11-29T09:00:00Z', { event_id: `e${from + i}`, data: { tool_name: 'Read' } })),
    });
    for (let b = 0; b < 99; b++) {
      const response = await t.post('/api/v1/events', batch(b * 1000, 1000), key);
      expect(response.status, `batch ${b}`).toBe(200);
      await response.arrayBuffer();
    }
    const partial = await t.post('/api/v1/events', batch(99_000, 500), key);
    expect(partial.status).toBe(200);
    await partial.arrayBuffer();
    const tooMany = await t.post('/api/v1/events', batch(99_500, 1000), key);
    expect(tooMany.status).toBe(429);
    expect(tooMany.headers.get('retry-after')).toBe('50');
    expect(((await tooMany.json()) as { error: { code: string } }).error.code).toBe('RATE_LIMITED');
    // Nothing of the refused batch was stored.
    const total = async () => ((await (await t.get('/api/v1/sessions?start_date=2026-11-01&limit=1', reader)).json()) as { data: { total: number } }).data.total;
    expect(await total()).toBe(99_500);
    const fits = await t.post('/api/v1/events', batch(99_500, 500), key);
    expect(fits.status).toBe(200);
    expect(await total()).toBe(100_000);
    const hook = await t.post('/api/v1/hooks/claude-code', { session_id: SESSION_A, hook_event_name: 'UserPromptSubmit', prompt: 'x' }, key);
    expect(hook.status).toBe(429);
  }, 120_000);
});

// On PostgreSQL the database holds the count (PGlite cannot serve several processes); on SQLite only Redis can share it.
describeNeeding(TEST_ENGINE === 'postgres' ? 'postgres' : 'redis', 'several processes share one count', () => {
  let t: TestGateway;
  let processes: ServeProcess[] = [];
  let dir: string;
  beforeAll(async () => {
    const env: Record<string, string> = TEST_ENGINE === 'postgres'
      ? {}
      : { REDIS_URL: available('redis')!, TRENCHCOAT_REDIS_CHANNEL: `tc_rl_${process.pid}_${Date.now()}` };
    dir = mkdtempSync(join(tmpdir(), 'trenchcoat-rl-'));
    t = await startTestGateway({ env });
    processes = await Promise.all([0, 1].map(() => startServe(['--port', '0', '--db', t.dbPath], { cwd: dir, env, timeoutMs: 90_000 })));
  }, 120_000);
  afterAll(async () => {
    for (const p of processes) p.child.kill('SIGTERM');
    await Promise.all(processes.map((p) => p.exited));
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('60 requests spread over two processes use up a standard key; the 61st is refused by either', async () => {
    const key = await t.key({ tier: 'standard' });
    const results = await Promise.all(
      Array.from({ length: 60 }, async (_, i) => {
        const response = await fetch(`${processes[i % 2]!.url}/api/v1/sessions?limit=1`, { headers: { 'x-api-key': key } });
        await response.arrayBuffer();
        return response.status;
      }),
    );
    // A window may turn over mid-test; then some of these counted in the next one.
    expect(results.every((s) => s === 200)).toBe(true);
    const refused = await Promise.all(processes.map((p) => fetch(`${p.url}/api/v1/sessions`, { headers: { 'x-api-key': key } })));
    const statuses = refused.map((r) => r.status);
    if (!statuses.every((s) => s === 429)) {
      // Only a window boundary between the two bursts explains a 200 here: then the counts restart.
      expect(refused.find((r) => r.status === 200)!.headers.get('ratelimit-remaining')).toMatch(/^5[89]$/);
    } else {
      for (const r of refused) expect(r.headers.get('retry-after')).toMatch(/^\d+$/);
    }
  });
});
