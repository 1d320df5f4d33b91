// On PostgreSQL the request path's reusable queries run as named prepared statements (src/db/pg-kysely-pool.ts): each
// connection parses and plans a text once. Names are unique to their connection, so that connections sharing one
// backend (PGlite behind its socket server) never meet a name another prepared.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { startGateway, type RunningGateway } from '../src/gateway.js';
import { createLogger } from '../src/log/logger.js';
import { POSTGRES_SOURCE, TEST_ENGINE } from './support/test-database.js';
import { event, SESSION_A, SESSION_B, startTestGateway, type TestGateway } from './support/test-gateway.js';

const DAY_PAGE = '/api/v1/sessions?start_date=2026-04-01&end_date=2026-04-02&limit=50';

/** The statements prepared on the gateway's connection (its pool holds one here). */
async function prepared(gateway: RunningGateway): Promise<{ name: string; statement: string }[]> {
  const { rows } = await sql<{ name: string; statement: string }>`select name, statement from pg_prepared_statements order by name`.execute(gateway.database.db);
  return rows;
}

async function dayPage(url: string, key: string): Promise<unknown> {
  const response = await fetch(`${url}${DAY_PAGE}`, { headers: { 'x-api-key': key } });
  expect(response.status).toBe(200);
  return response.json();
}

describe.runIf(TEST_ENGINE === 'postgres')('named prepared statements', () => {
  const env = { TRENCHCOAT_PG_POOL_SIZE: '1' };
  let t: TestGateway;
  let sibling: RunningGateway;
  let key: string;

  beforeAll(async () => {
    t = await startTestGateway({ env });
    key = await t.key();
    const events = [event('session_start', SESSION_A, '2026-04-01T09:00:00Z'), event('session_start', SESSION_B, '2026-04-02T09:00:00Z')];
    expect((await t.post('/api/v1/events', { events }, key)).status).toBe(200);
    const config = loadConfig({ port: '0', host: '127.0.0.1', db: t.dbPath }, { ...env, TRENCHCOAT_DASHBOARD: 'off' });
    sibling = await startGateway(config, { logger: createLogger('silent') });
  }, 120_000);
  afterAll(async () => {
    await sibling?.close();
    await t?.close();
  });

  it("prepares a page's statement once per connection: the same request again prepares nothing more", async () => {
    // Behind PGlite's socket server the list holds other connections' statements too: only the new ones count.
    const before = new Set((await prepared(t.gateway)).map((s) => s.name));
    const first = await dayPage(t.url, key);
    const after = await prepared(t.gateway);
    const page = after.filter((s) => !before.has(s.name) && s.statement.includes('as "total" from "sessions"'));
    expect(page).toHaveLength(1);
    expect(page[0]!.name).toMatch(/^tc[0-9a-f]{8}_[0-9a-z]+_[0-9a-f]{24}$/);
    expect(await dayPage(t.url, key)).toEqual(first);
    expect(await prepared(t.gateway)).toEqual(after);
  });

  it('another connection to the same database names its statements apart, and answers the same', async () => {
    const here = await dayPage(t.url, key);
    expect(await dayPage(sibling.url, key)).toEqual(here);
    // Behind PGlite's socket server every connection sees every statement: there, answering at all is the check.
    if (POSTGRES_SOURCE !== 'server') return;
    const prefixes = async (gateway: RunningGateway) => [...new Set((await prepared(gateway)).map((s) => s.name.split('_').slice(0, 2).join('_')))];
    const [ours, theirs] = [await prefixes(t.gateway), await prefixes(sibling)];
    expect(ours).toHaveLength(1);
    expect(theirs).toHaveLength(1);
    expect(theirs[0]).not.toBe(ours[0]);
  });

  it('with TRENCHCOAT_PG_NAMED_STATEMENTS=off prepares nothing, and answers the same', async () => {
    const config = loadConfig({ port: '0', host: '127.0.0.1', db: t.dbPath }, { ...env, TRENCHCOAT_DASHBOARD: 'off', TRENCHCOAT_PG_NAMED_STATEMENTS: 'off' });
    const unnamed = await startGateway(config, { logger: createLogger('silent') });
    try {
      const expected = await dayPage(t.url, key);
      const before = await prepared(unnamed);
      expect(await dayPage(unnamed.url, key)).toEqual(expected);
      expect(await prepared(unnamed)).toEqual(before);
    } finally {
      await unnamed.close();
    }
  });
});
