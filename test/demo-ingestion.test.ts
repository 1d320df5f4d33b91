// `trenchcoat demo` stores its sessions in the gateway's own process through the same use case and
// services as POST /api/v1/events: they count in /metrics and reach live subscribers like any ingestion.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNT, storeDemoData } from '../src/cli/demo-command.js';
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
      const stored = await storeDemoData(t.gateway);
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
    const first = await storeDemoData(t.gateway, now);
    const again = await storeDemoData(t.gateway, now);
    expect(again).toBe(0);
    const after = await scrape(t);
    expect(valueOf(after, INGESTED, { outcome: 'stored' }) - valueOf(before, INGESTED, { outcome: 'stored' })).toBe(first);
    expect(valueOf(after, INGESTED, { outcome: 'duplicate' })).toBeGreaterThan(valueOf(before, INGESTED, { outcome: 'duplicate' }));
  });
});
