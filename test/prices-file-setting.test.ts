// TRENCHCOAT_PRICES_FILE: a file of model prices over the bundled list, read at start; usage is costed with it.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeUsage } from '../src/usage/store-usage.js';
import { startTestGateway, type TestGateway } from './support/test-gateway.js';

const SESSION = 'abc00000-0000-4000-8000-000000000001';
const QUERY = 'query ($id: ID!) { session(id: $id) { usage { costUsd computedCostUsd unpricedModels } } }';

/** One session with one transcript request of 1M input and 1M output tokens of `model`. */
async function sessionWithRequest(t: TestGateway, model: string): Promise<string> {
  const key = await t.key();
  const post = await t.post('/api/v1/events', { events: [{ event_type: 'session_start', session_id: SESSION, timestamp: '2026-05-01T10:00:00Z' }] }, key);
  expect(post.status).toBe(200);
  const account = await t.gateway.database.db.selectFrom('accounts').select('id').where('slug', '=', 'acme').executeTakeFirstOrThrow();
  await storeUsage(t.gateway.database.db, Number(account.id), {
    modelRequests: [{
      sessionId: SESSION, requestKey: 'req_1', model, ts: Date.parse('2026-05-01T10:00:01Z'), inputTokens: 1_000_000, outputTokens: 1_000_000,
      cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, cacheReadTokens: 0, reportedCostNanos: null, fast: false, source: 'transcript',
    }],
    errors: [],
    metricPoints: [],
  });
  return key;
}

describe('TRENCHCOAT_PRICES_FILE', () => {
  const dir = mkdtempSync(join(tmpdir(), 'trenchcoat-prices-'));
  const file = join(dir, 'prices.json');
  writeFileSync(file, JSON.stringify({
    asOf: '2026-12-04',
    models: { 'claude-sonnet-4-5': { input: 1, output: 2 }, 'acme-internal-1': { input: 4, output: 8 } },
  }));
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway({ env: { TRENCHCOAT_PRICES_FILE: file } });
  });
  afterAll(() => t.close());

  it('replaces a bundled model’s prices and prices a model the bundled list lacks', async () => {
    const key = await sessionWithRequest(t, 'claude-sonnet-4-5-20250929');
    const { body } = await t.graphql(QUERY, { id: SESSION }, key);
    // 1M input at $1 and 1M output at $2, not the bundled $3 and $15.
    expect(body.data!['session'].usage).toEqual({ costUsd: 3, computedCostUsd: 3, unpricedModels: [] });
  });

  it('a bundled gateway prices the same request at the list price', async () => {
    const bundled = await startTestGateway();
    try {
      const key = await sessionWithRequest(bundled, 'claude-sonnet-4-5-20250929');
      const { body } = await bundled.graphql(QUERY, { id: SESSION }, key);
      expect(body.data!['session'].usage.costUsd).toBeCloseTo(18, 9);
    } finally {
      await bundled.close();
    }
  });

  it('refuses to start on a file it cannot read or use, naming it', async () => {
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, JSON.stringify({ asOf: '2026-12-04', models: { 'x-1': { input: 'cheap' } } }));
    await expect(startTestGateway({ env: { TRENCHCOAT_PRICES_FILE: broken } })).rejects.toThrow(/broken\.json/);
    await expect(startTestGateway({ env: { TRENCHCOAT_PRICES_FILE: join(dir, 'absent.json') } })).rejects.toThrow(/absent\.json/);
  });
});
