// The database dropping the gateway's connections (a restart, a failover) gives 503 UNAVAILABLE at
// worst, never a 500, and the gateway recovers by itself (hardening issue). Needs a real server:
// PGlite cannot end its own connections from outside.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sideQuery } from './support/side-connection.js';
import { describeNeeding } from './support/requirements.js';
import { TEST_ENGINE } from './support/test-database.js';
import { event, SESSION_A, startTestGateway, type TestGateway } from './support/test-gateway.js';

describe.runIf(TEST_ENGINE === 'postgres')('when PostgreSQL drops every connection', () => describeNeeding('postgres', 'on a server', () => {
  let t: TestGateway;
  let key: string;
  beforeAll(async () => {
    t = await startTestGateway();
    key = await t.key();
    expect((await t.post('/api/v1/events', { events: [event('session_start', SESSION_A, '2026-11-29T08:00:00Z')] }, key)).status).toBe(200);
  });
  afterAll(() => t.close());

  it('answers only 200 or 503 meanwhile, and serves again without a restart', async () => {
    const database = new URL(t.dbPath).pathname.slice(1);
    const killed = await sideQuery<{ ended: boolean }>(
      t,
      `select pg_terminate_backend(pid) as ended from pg_stat_activity where datname = '${database}' and pid <> pg_backend_pid()`,
    );
    expect(killed.length).toBeGreaterThan(0);
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) {
      const response = await t.get('/api/v1/sessions', key);
      statuses.push(response.status);
      const body = (await response.json()) as { error?: { code: string } };
      if (response.status === 503) expect(body.error?.code).toBe('UNAVAILABLE');
      if (response.status === 200 && statuses.length > 3) break;
    }
    expect(statuses.every((s) => s === 200 || s === 503), JSON.stringify(statuses)).toBe(true);
    expect(statuses.at(-1)).toBe(200);
    const ready = await t.get('/readyz');
    expect(ready.status).toBe(200);
    const write = await t.post('/api/v1/events', { events: [event('session_end', SESSION_A, '2026-11-29T09:00:00Z')] }, key);
    expect(write.status).toBe(200);
  });
}));
